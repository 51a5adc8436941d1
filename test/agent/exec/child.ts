// The child the exec tests supervise: a small Node script (written to the test's directory
// when asked for, so nothing here runs on load) that appends one JSON line to a record file
// when it starts (pid, DB_PASSWORD, a variable from the agent's own environment), for every
// signal it gets and for what it reads on stdin. It exits 0 on a signal unless told to ignore them, and exits with
// the code written to `<record>.exit` when that file appears.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SCRIPT = `
const fs = require('node:fs');
const [record, mode] = process.argv.slice(2);
const rec = (o) => fs.appendFileSync(record, JSON.stringify({ pid: process.pid, ...o }) + '\\n');
rec({ event: 'start', password: process.env.DB_PASSWORD, mark: process.env.AGENT_MARK });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1']) {
  process.on(sig, () => {
    rec({ event: 'signal', signal: sig });
    if (mode !== 'ignore') process.exit(0);
  });
}
process.stdin.setEncoding('utf8');
process.stdin.on('data', (d) => rec({ event: 'stdin', line: d.trim() }));
setInterval(() => {
  let code;
  try { code = fs.readFileSync(record + '.exit', 'utf8'); } catch { return; }
  fs.rmSync(record + '.exit');
  process.exit(Number(code));
}, 50);
`;

export type Entry = { pid: number; event: 'start' | 'signal' | 'stdin'; password?: string; mark?: string; signal?: string; line?: string };

/** Writes the script into `dir`; returns exec's `command` (HCL list) running it, recording to `record`. */
export function childCommand(dir: string, record: string, mode: 'ignore' | '' = ''): string {
  const script = join(dir, 'child.cjs');
  writeFileSync(script, SCRIPT);
  return JSON.stringify([process.execPath, script, record, ...(mode ? [mode] : [])]);
}

export function entries(record: string): Entry[] {
  let text: string;
  try {
    text = readFileSync(record, 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Entry);
}

export const starts = (record: string): Entry[] => entries(record).filter((e) => e.event === 'start');

/** Whether a process with this pid is alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
