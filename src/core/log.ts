// The server's operational log. It must never hold a secret: values under known secret field
// names are redacted, and errors are reduced to class and code because driver messages can
// quote the input (SQL with a password, a token) that caused them.
import { appendFileSync } from 'node:fs';

/** Severity, lowest first. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const LEVELS: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];

/** Where formatted lines go. */
export type LogSink = (line: string) => void;

/** A logger that redacts. */
export interface Logger {
  trace(msg: string, fields?: Record<string, unknown>): void;
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_NAMES = /token|password|secret|key|ciphertext|plaintext|data|shares|hmac|jwt|credential/i;

/** Makes a log field safe to print. */
function redact(name: string, value: unknown): unknown {
  if (value instanceof Error) return describeError(value);
  if (SECRET_NAMES.test(name)) return '[redacted]';
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(k, v)]));
}

/** Class, code and cause chain of an error, never its message (it may quote input). */
function describeError(err: Error): Record<string, unknown> {
  const out: Record<string, unknown> = { class: err.constructor.name };
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' || typeof code === 'number') out.code = code;
  // Our own error classes carry messages we wrote and know to be safe.
  if ((err as { status?: unknown }).status !== undefined) out.message = err.message;
  if (err.cause instanceof Error) out.cause = describeError(err.cause);
  return out;
}

/** A sink writing to a file that can be reopened (SIGHUP, logrotate). */
export function fileSink(path: string): LogSink {
  return (line) => appendFileSync(path, line + '\n');
}

/** Writes to standard error. */
export const stderrSink: LogSink = (line) => process.stderr.write(line + '\n');

/** Creates a logger writing at `level` and above to `sink`. */
export function createLogger(opts: { level?: LogLevel; sink?: LogSink; format?: 'text' | 'json' } = {}): Logger {
  const min = LEVELS.indexOf(opts.level ?? 'info');
  const sink = opts.sink ?? stderrSink;
  const emit = (level: LogLevel) => (msg: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < min) return;
    const safe = Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, redact(k, v)]));
    const time = new Date().toISOString();
    if (opts.format === 'json') {
      sink(JSON.stringify({ '@timestamp': time, '@level': level, '@message': msg, ...safe }));
    } else {
      const extra = Object.entries(safe).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ');
      sink(`${time} [${level.toUpperCase()}] ${msg}${extra ? ' ' + extra : ''}`);
    }
  };
  return { trace: emit('trace'), debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** A logger that drops everything. */
export const silentLogger: Logger = createLogger({ sink: () => {} });
