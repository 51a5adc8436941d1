// `lockbox server`: run a server from a config file, or `-dev` for an in-memory one that is
// initialised, unsealed and holds a root token, ready to use.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { BadRequest } from '../util/errors.js';
import { startServer, type RunningServer } from '../server/start.js';
import { loadConfigFile } from '../server/config.js';
import { describeSeal } from '../server/seal-config.js';
import { stderrSink, type LogLevel, type LogSink } from '../core/log.js';
import { VAULT_API_VERSION } from '../core/version.js';
import type { ParsedArgs } from './args.js';
import { reopenAll } from '../audit/index.js';

const DEV_ADDRESS = '127.0.0.1:8200';

/** A log file held open, that SIGHUP reopens by path (after logrotate has renamed it). */
type LogFile = { sink: LogSink; reopen(): void; close(): void };

/** A flag, else LOCKBOX_<NAME>, else VAULT_<NAME>, as Vault's server reads its environment. */
function setting(args: ParsedArgs, flag: string, env: string): string | undefined {
  return args.flag(flag) ?? (process.env[`LOCKBOX_${env}`] || process.env[`VAULT_${env}`] || undefined);
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'];

function logLevelSetting(args: ParsedArgs): LogLevel | undefined {
  const raw = setting(args, 'log-level', 'LOG_LEVEL');
  if (raw === undefined) return undefined;
  const level = raw.toLowerCase() === 'warning' ? 'warn' : raw.toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new BadRequest(`unknown log level "${raw}" (trace, debug, info, warn, error)`);
  return level as LogLevel;
}

function logFormatSetting(args: ParsedArgs): 'standard' | 'json' | undefined {
  const raw = setting(args, 'log-format', 'LOG_FORMAT');
  if (raw === undefined) return undefined;
  if (raw !== 'standard' && raw !== 'json') throw new BadRequest(`unknown log format "${raw}" (standard, json)`);
  return raw;
}

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function serverCommand(args: ParsedArgs): Promise<number> {
  const dev = args.on('dev');
  let logFile: LogFile | undefined;
  let running: RunningServer;
  // Vault writes to log_file in addition to standard error, not instead of it.
  const sink: LogSink = (line) => {
    stderrSink(line);
    logFile?.sink(line);
  };
  const logLevel = logLevelSetting(args);
  const logFormat = logFormatSetting(args);
  let summary: Summary;
  if (dev) {
    const address = setting(args, 'dev-listen-address', 'DEV_LISTEN_ADDRESS') ?? DEV_ADDRESS;
    running = await startServer({
      dev: true, devRootTokenId: setting(args, 'dev-root-token-id', 'DEV_ROOT_TOKEN_ID'), storage: { type: 'memory' },
      listener: { address }, logSink: sink, logLevel: logLevel ?? 'info', logFormat, ui: true,
    });
    summary = { storage: 'inmem', logLevel: logLevel ?? 'info', tls: false, ui: true };
  } else {
    const paths = args.all('config');
    if (paths.length === 0) throw new BadRequest('no configuration: give -config=FILE (or a directory), or -dev for a development server');
    const config = loadConfigFile(...paths);
    if (config.logFile) logFile = openLogFile(config.logFile);
    running = await startServer({
      storage: config.storage, seal: config.seal, logSink: sink, logLevel: logLevel ?? config.logLevel, logFormat: logFormat ?? config.logFormat,
      defaultLeaseTtl: config.defaultLeaseTtl, maxLeaseTtl: config.maxLeaseTtl, userLockout: config.userLockout, clusterName: config.clusterName, ui: config.ui,
      telemetry: config.telemetry, awsSmWebhookHosts: config.awsSmWebhookHosts,
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
    for (const warning of config.warnings) running.core.log.warn(warning);
    summary = {
      storage: config.storage.type === 'memory' ? 'inmem' : config.storage.type, logLevel: logLevel ?? config.logLevel,
      tls: !config.listener.tlsDisable, ui: config.ui, apiAddr: config.apiAddr, seal: describeSeal(config.seal),
    };
  }
  // Signal handlers go in before the banner: whoever waits for it may signal at once.
  const stopped = waitForShutdown(running, logFile);
  printSummary(running, summary);
  if (dev) printDevBanner(running);
  else process.stdout.write(`==> Lockbox server started! Listening on ${running.url}\n`);
  if (!running.core.seal.status().initialized) {
    // An auto seal unseals itself after init; Shamir needs the operator's keys.
    const next = running.core.seal.recoverySeal ? '' : ', then "lockbox operator unseal"';
    process.stdout.write(`==> The server is not initialized yet: run "lockbox operator init"${next}.\n`);
  }
  const code = await stopped;
  logFile?.close();
  return code;
}

type Summary = { storage: string; logLevel: LogLevel; tls: boolean; ui: boolean; apiAddr?: string; seal?: string };

/** Vault's start-up block: the settings in effect, keys right-aligned. */
function printSummary(running: RunningServer, s: Summary): void {
  const address = running.url.replace(/^https?:\/\//, '');
  const rows: Array<[string, string]> = [
    ['Api Address', s.apiAddr ?? running.url],
    ['Cluster Address', 'n/a (no HA: one node)'],
    ['Listener 1', `tcp (addr: "${address}", tls: "${s.tls ? 'enabled' : 'disabled'}")`],
    ['Log Level', s.logLevel],
    ['Seal Type', s.seal ?? 'shamir'],
    ['Storage', s.storage],
    ['UI', String(s.ui)],
    ['Version', `Lockbox v${packageVersion()} (Vault API ${VAULT_API_VERSION})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`==> Lockbox server configuration:\n\n${rows.map(([k, v]) => `${k.padStart(width + 4)}: ${v}`).join('\n')}\n\n`);
}

/** The version in package.json, three levels up from dist/src/cli. */
function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return String(pkg.version ?? 'unknown');
  } catch {
    return 'unknown';
  }
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
