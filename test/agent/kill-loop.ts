// Crash safety of template writes, shared by test/agent/e2e2/kill.test.ts and
// bench/agent-kill.ts: a large KV secret is rotated all the time, the agent renders it
// (the output ends with the SHA-256 of the rest) and is killed with SIGKILL at random moments
// and started again. A reader checks every read of the destination is whole and one of the
// versions written; temp files a kill leaves must be gone once the next agent has started.
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TestServer } from '../helpers/server.js';
import { approleRole, startAgent, waitFor, type AgentProcess } from './helpers.js';

export type KillReport = { kills: number; reads: number; versionsWritten: number; versionsSeen: number; tempsLeftByKills: number; tempChecks: number; bad: string[]; ms: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const TEMP = '.big.txt.lockbox-tmp.';

export async function killLoop(o: { srv: TestServer; dir: string; kills: number; bytes: number; minMs?: number; maxMs?: number }): Promise<KillReport> {
  const { srv, dir } = o;
  const started = Date.now();
  const dest = join(dir, 'big.txt');
  const written = new Set<string>();
  let n = 0;
  const put = async () => {
    const version = `v${++n}`;
    // Base64 of random bytes: 3 bytes give 4 characters.
    const blob = `${version}:${randomBytes(Math.ceil((o.bytes * 3) / 4)).toString('base64').slice(0, o.bytes)}`;
    written.add(version);
    // The server takes JSON strings up to 1 MiB: four parts, joined by the template.
    const q = Math.ceil(blob.length / 4);
    const data = Object.fromEntries([0, 1, 2, 3].map((i) => [`p${i}`, blob.slice(i * q, (i + 1) * q)]));
    const r = await srv.api('POST', 'secret/data/big', { data });
    if (r.status !== 200) throw new Error(`put: ${r.status} ${JSON.stringify(r.body)}`);
  };
  await srv.api('POST', 'sys/policies/acl/big', { policy: 'path "secret/*" { capabilities = ["read"] }' });
  await srv.api('POST', 'secret/metadata/big', { max_versions: 3 });
  await put();
  const ids = await approleRole(srv, 'big', { token_ttl: '60s', token_policies: ['big'] });
  writeFileSync(join(dir, 'big-role'), ids.roleId);
  writeFileSync(join(dir, 'big-secret'), ids.secretId);
  const config = join(dir, 'big.hcl');
  writeFileSync(config, `
vault { address = "${srv.url}" }
auto_auth {
  method "approle" {
    config = {
      role_id_file_path = "${join(dir, 'big-role')}"
      secret_id_file_path = "${join(dir, 'big-secret')}"
      remove_secret_id_file_after_reading = false
    }
  }
}
template_config { static_secret_render_interval = "1s" }
template {
  contents = "{{ with secret \\"secret/big\\" }}{{ with .Data.data }}{{ $all := printf \\"%s%s%s%s\\" .p0 .p1 .p2 .p3 }}{{ $all }}\\n{{ $all | sha256Hex }}\\n{{ end }}{{ end }}"
  destination = "${dest}"
}
`);
  let stopWriting = false;
  let stopReading = false;
  let current: AgentProcess | undefined;
  const bad: string[] = [];
  const seen = new Set<string>();
  let reads = 0;
  const writer = (async () => {
    while (!stopWriting) {
      await sleep(300);
      await put();
    }
  })();
  const reader = (async () => {
    while (!stopReading) {
      await sleep(25);
      let text: string;
      try {
        text = await readFile(dest, 'utf8');
      } catch (err) {
        if (seen.size > 0) bad.push(`read failed after a render: ${(err as Error).message}`);
        continue;
      }
      reads++;
      const blob = text.slice(0, -66);
      const hash = text.slice(-65, -1);
      const version = /^v\d+(?=:)/.exec(blob)?.[0];
      if (text.at(-66) !== '\n' || text.at(-1) !== '\n' || createHash('sha256').update(blob).digest('hex') !== hash) bad.push(`torn or corrupt read (${text.length} bytes)`);
      else if (!version || !written.has(version)) bad.push(`unknown version ${version}`);
      else seen.add(version);
    }
  })();
  const temps = () => readdirSync(dir).filter((f) => f.startsWith(TEMP));
  let pending: string[] = [];
  let tempsLeftByKills = 0;
  let tempChecks = 0;
  const checkTemps = (agent: AgentProcess) => {
    // Stale temps are removed before the agent logs in.
    if (pending.length === 0 || !/authenticating/.test(agent.output())) return;
    for (const f of pending) if (existsSync(join(dir, f))) bad.push(`temp file ${f} survived the next start`);
    tempChecks++;
    pending = [];
  };
  try {
    for (let k = 0; k < o.kills; k++) {
      const agent = startAgent([`-config=${config}`]);
      current = agent;
      if (k === 0) await waitFor('the first render', () => (seen.size > 0 ? true : undefined), 20_000, agent);
      // Random moments after the agent has started (its start takes 0.5–2 s on a loaded
      // machine): before, during and after the fetch and the write.
      await waitFor('the agent to start', () => (/authenticating/.test(agent.output()) ? true : undefined), 20_000, agent);
      const killAt = Date.now() + (o.minMs ?? 0) + Math.random() * ((o.maxMs ?? 800) - (o.minMs ?? 0));
      while (Date.now() < killAt) {
        checkTemps(agent);
        await sleep(5);
      }
      checkTemps(agent);
      agent.child.kill('SIGKILL');
      await agent.exited;
      const left = temps();
      tempsLeftByKills += left.filter((f) => !pending.includes(f)).length;
      pending = [...new Set([...pending, ...left])];
    }
    stopWriting = true;
    await writer;
    const last = `v${n}`;
    const agent = startAgent([`-config=${config}`]);
    current = agent;
    await waitFor('the last version', () => (seen.has(last) ? true : undefined), 20_000, agent);
    checkTemps(agent);
    if (process.env.KILL_LOOP_DEBUG) process.stderr.write(agent.output());
    const code = await agent.stop('SIGTERM');
    if (code !== 0) bad.push(`the last agent exited ${code}`);
    if (temps().length > 0) bad.push(`temp files at the end: ${temps().join(', ')}`);
    if (pending.length > 0) bad.push(`temp files never checked: ${pending.join(', ')}`);
  } finally {
    stopWriting = true;
    stopReading = true;
    // Never leave an agent behind (it would keep this process alive).
    if (current && current.child.exitCode === null && current.child.signalCode === null) current.child.kill('SIGKILL');
    await writer.catch(() => undefined);
    await reader;
  }
  return { kills: o.kills, reads, versionsWritten: n, versionsSeen: seen.size, tempsLeftByKills, tempChecks, bad, ms: Date.now() - started };
}
