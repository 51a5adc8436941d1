// The agent's log lines, in hclog's layout as Vault Agent prints them:
//   2026-01-01T00:00:00.000Z [INFO]  agent.auth.handler: authentication successful
// Callers pass only names, paths and durations: no token, secret id or JWT is ever given to
// the logger, and values in fields are printed as they are, so nothing needs redacting here.
export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';
const ORDER: Level[] = ['trace', 'debug', 'info', 'warn', 'error'];

export type Fields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  named(name: string): Logger;
  trace(msg: string, fields?: Fields): void;
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
}

export function createLogger(level: Level, write: (line: string) => void = (l) => process.stderr.write(l), name = '', now: () => number = Date.now): Logger {
  const min = ORDER.indexOf(level);
  const line = (lvl: Level, msg: string, fields?: Fields) => {
    if (ORDER.indexOf(lvl) < min) return;
    const tag = `[${lvl.toUpperCase()}]`.padEnd(7);
    const kv = Object.entries(fields ?? {}).filter(([, v]) => v !== undefined)
      .map(([k, v]) => ` ${k}=${typeof v === 'string' && /[\s"=]/.test(v) ? JSON.stringify(v) : String(v)}`).join('');
    write(`${new Date(now()).toISOString()} ${tag} ${name ? `${name}: ` : ''}${msg}${kv}\n`);
  };
  return {
    named: (n) => createLogger(level, write, name ? `${name}.${n}` : n, now),
    trace: (m, f) => line('trace', m, f),
    debug: (m, f) => line('debug', m, f),
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
  };
}

export const isLevel = (s: string): s is Level => (ORDER as string[]).includes(s);
