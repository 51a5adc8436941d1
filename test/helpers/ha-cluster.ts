// A cluster of `lockbox server` processes over one shared store, for the HA failover test and
// benchmark: start and unseal, find the active node, and a client write that retries on 5xx.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, freePort, spawnServer, unseal, type ServerProcess } from '../server/process.js';

export type Node = { proc: ServerProcess; url: string };

/** Starts `count` nodes (into `nodes`, for clean-up) over `storageBlock`, initialises through the first, unseals all. */
export async function startCluster(dir: string, storageBlock: string, nodes: Node[], count = 3) {
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    const file = join(dir, `node${i}.hcl`);
    writeFileSync(file, `${storageBlock}
listener "tcp" {
  address     = "127.0.0.1:${port}"
  tls_disable = true
}
api_addr = "http://127.0.0.1:${port}"
`);
    const proc = await spawnServer(file);
    nodes.push({ proc, url: proc.url });
  }
  const init = await call(nodes[0]!.url, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  assert.equal(init.status, 200);
  for (const node of nodes) assert.equal((await unseal(node.url, init.body.keys)).sealed, false);
  return { root: init.body.root_token as string };
}

/** The node that says it is active, once one does. */
export async function activeNode(nodes: Node[], timeoutMs = 20_000): Promise<Node> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const node of nodes) {
      const leader = await call(node.url, 'GET', 'sys/leader').catch(() => undefined);
      if (leader?.body?.is_self === true) return node;
    }
    if (Date.now() > deadline) throw new Error('no active node');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A write that retries on 5xx and connection errors, across the given nodes, until it lands. */
export async function writeWithRetry(nodes: () => Node[], path: string, token: string, body: unknown, giveUpMs = 30_000): Promise<void> {
  const deadline = Date.now() + giveUpMs;
  for (let attempt = 0; ; attempt++) {
    const list = nodes();
    const node = list[attempt % list.length]!;
    const res = await call(node.url, 'POST', path, { token, body }).catch(() => ({ status: 599, body: undefined }));
    if (res.status < 300) return;
    if (res.status < 500) throw new Error(`write refused: ${res.status} ${JSON.stringify(res.body)}`);
    if (Date.now() > deadline) throw new Error(`write never landed: ${path}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}


/**
 * Kills the active node with SIGKILL while two clients write `kv/data/w<i>` (retrying on 5xx
 * across the other nodes). Answers the failover time — from the kill to the next acknowledged
 * write — and every write that was acknowledged, for the caller to read back.
 */
export async function killActiveUnderLoad(nodes: Node[], root: string) {
  const killed = await activeNode(nodes);
  let alive = [...nodes];
  const acknowledged: number[] = [];
  let stop = false;
  let killedAt = 0;
  let firstAfterKill = 0;
  let next = 0;
  const writer = async () => {
    while (!stop) {
      const i = next++;
      await writeWithRetry(() => alive, `kv/data/w${i}`, root, { data: { i } });
      acknowledged.push(i);
      if (killedAt && !firstAfterKill) firstAfterKill = Date.now();
    }
  };
  const pause = () => new Promise((r) => setTimeout(r, 20));
  const writers = [writer(), writer()];
  while (acknowledged.length < 30) await pause();
  killedAt = Date.now();
  alive = nodes.filter((n) => n !== killed);
  await killed.proc.stop('SIGKILL');
  const countAtKill = acknowledged.length;
  while (!firstAfterKill || acknowledged.length < countAtKill + 50) await pause();
  stop = true;
  await Promise.all(writers);
  return { failoverMs: firstAfterKill - killedAt, acknowledged, killed, alive };
}
