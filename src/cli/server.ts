// `lockbox server`: run a server from a config file, or `-dev` for an in-memory one that is
// initialised, unsealed and holds a root token, ready to use.
import { closeSync, openSync, writeSync } from 'node:fs';
import { BadRequest } from '../util/errors.js';
import { startServer, type RunningServer } from '../server/start.js';
import { loadConfigFile } from '../server/config.js';
import { stderrSink, type LogSink } from '../core/log.js';
import type { ParsedArgs } from './args.js';
import { reopenAll } from '../audit/index.js';

const DEV_ADDRESS = '127.0.0.1:8200';

/** A log file held open, that SIGHUP reopens by path (after logrotate has renamed it). */
type LogFile = { sink: LogSink; reopen(): void; close(): void };

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function serverCommand(args: ParsedArgs): Promise<number> {
  const dev = args.flags.has('dev');
  let logFile: LogFile | undefined;
  let running: RunningServer;
  // Vault writes to log_file in addition to standard error, not instead of it.
  const sink: LogSink = (line) => {
    stderrSink(line);
    logFile?.sink(line);
  };
  if (dev) {
    const address = args.flag('dev-listen-address') ?? DEV_ADDRESS;
    running = await startServer({
      dev: true, devRootTokenId: args.flag('dev-root-token-id'), storage: { type: 'memory' },
      listener: { address }, logSink: sink, logLevel: 'info', ui: true,
    });
  } else {
    const path = args.flag('config');
    if (!path) throw new BadRequest('no configuration: give -config=FILE, or -dev for a development server');
    const config = loadConfigFile(path);
    if (config.logFile) logFile = openLogFile(config.logFile);
    running = await startServer({
      storage: config.storage, logSink: sink, logLevel: config.logLevel,
      defaultLeaseTtl: config.defaultLeaseTtl, maxLeaseTtl: config.maxLeaseTtl, userLockout: config.userLockout, clusterName: config.clusterName, ui: config.ui,
      apiAddr: config.apiAddr, clusterAddr: config.clusterAddr, disableForwarding: config.disableClustering,
      listener: {
        address: config.listener.address, maxRequestSize: config.listener.maxRequestSize,
        maxUnauthenticatedRequestSize: config.listener.maxUnauthenticatedRequestSize, json: config.listener.json,
        ...(config.listener.tlsDisable ? {} : { tlsCertFile: config.listener.tlsCertFile, tlsKeyFile: config.listener.tlsKeyFile }),
      },
    }).catch((err: unknown) => {
      logFile?.close();
      throw err;
    });
  }
  // Signal handlers go in before the banner: whoever waits for it may signal at once.
  const stopped = waitForShutdown(running, logFile);
  if (dev) printDevBanner(running);
  else process.stdout.write(`==> Lockbox server started! Listening on ${running.url}\n`);
  const code = await stopped;
  logFile?.close();
  return code;
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

/**
 * SIGINT/SIGTERM: stop accepting, let in-flight requests finish, seal, close storage; a second
 * signal stops waiting for slow clients. SIGHUP reopens the log file.
 */
function waitForShutdown(running: RunningServer, logFile: LogFile | undefined): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        running.forceClose();
        return;
      }
      stopping = true;
      running.core.log.info('shutting down');
      process.stdout.write('==> Lockbox shutdown triggered\n');
      running.close().then(() => resolve(0), (err: unknown) => {
        running.core.log.error('shutdown failed', { error: err });
        resolve(1);
      });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    process.on('SIGHUP', () => {
      logFile?.reopen();
      // Logged before the banner, so a watcher that sees the banner finds the line in the file.
      running.core.log.info('log file reopened');
      // Audit files too: logrotate renames them, and the devices must follow the path.
      void reopenAll(running.core).then(() => process.stdout.write('==> Lockbox reload triggered\n'));
    });
  });
}

/** Opens `path` for appending (0600: logs are nobody else's business). */
function openLogFile(path: string): LogFile {
  const open = () => openSync(path, 'a', 0o600);
  let fd = open();
  return {
    sink: (line) => {
      if (fd >= 0) writeSync(fd, line + '\n');
    },
    reopen: () => {
      // Open the new file before closing the old, so no line is lost; if it cannot be
      // opened, keep writing to the old one rather than nowhere.
      let next: number;
      try {
        next = open();
      } catch (err) {
        stderrSink(`cannot reopen log file ${path}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`);
        return;
      }
      if (fd >= 0) closeSync(fd);
      fd = next;
    },
    close: () => {
      if (fd >= 0) closeSync(fd);
      fd = -1;
    },
  };
}
