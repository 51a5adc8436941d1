// `lockbox server`: run a server from a config file, or `-dev` for an in-memory one that is
// initialised, unsealed and holds a root token, ready to use.
import { BadRequest } from '../errors.js';
import { startServer, type RunningServer } from '../server/start.js';
import { loadConfigFile } from '../server/config.js';
import { fileSink, stderrSink, type LogSink } from '../core/log.js';
import type { ParsedArgs } from './args.js';

const DEV_ADDRESS = '127.0.0.1:8200';

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function serverCommand(args: ParsedArgs): Promise<number> {
  const dev = args.flags.has('dev');
  let logFile: string | undefined;
  let running: RunningServer;
  // SIGHUP re-opens the log file: the sink appends by path, so a rotated file is recreated.
  const sink: LogSink = (line) => (logFile ? fileSink(logFile) : stderrSink)(line);
  if (dev) {
    const address = args.flag('dev-listen-address') ?? DEV_ADDRESS;
    running = await startServer({
      dev: true, devRootTokenId: args.flag('dev-root-token-id'), storage: { type: 'memory' },
      listener: { address }, logSink: sink, logLevel: 'info',
    });
    printDevBanner(running);
  } else {
    const path = args.flag('config');
    if (!path) throw new BadRequest('no configuration: give -config=FILE, or -dev for a development server');
    const config = loadConfigFile(path);
    logFile = config.logFile;
    running = await startServer({
      storage: config.storage, logSink: sink, logLevel: config.logLevel,
      defaultLeaseTtl: config.defaultLeaseTtl, maxLeaseTtl: config.maxLeaseTtl, clusterName: config.clusterName,
      listener: {
        address: config.listener.address, maxRequestSize: config.listener.maxRequestSize,
        ...(config.listener.tlsDisable ? {} : { tlsCertFile: config.listener.tlsCertFile, tlsKeyFile: config.listener.tlsKeyFile }),
      },
    });
    process.stdout.write(`==> Lockbox server started! Listening on ${running.url}\n`);
  }
  return waitForShutdown(running);
}

function printDevBanner(running: RunningServer): void {
  process.stdout.write([
    '==> Lockbox server started in development mode. Do not use it in production:',
    '    everything is kept in memory and lost on exit.',
    '',
    `    export VAULT_ADDR='${running.url}'`,
    '',
    `Unseal Key: ${running.unsealKey}`,
    `Root Token: ${running.rootToken}`,
    '',
  ].join('\n') + '\n');
}

/** Finishes in-flight requests and closes storage on SIGINT/SIGTERM. */
function waitForShutdown(running: RunningServer): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      process.stdout.write('==> Lockbox shutdown triggered\n');
      running.close().then(() => resolve(0), () => resolve(1));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', () => process.stdout.write('==> Reloading: log file reopened\n'));
  });
}
