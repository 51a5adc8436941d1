// How long one policy takes to read (HCL1 and JSON), for a file in Vault's documented shape.
// Prints numbers only; run with `npx tsc -p tsconfig.json && node dist/bench/policy-parse.js`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './processes.js';
import { parsePolicy } from '../src/policy/index.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20_000);

function measure(name: string, text: string): void {
  for (let i = 0; i < ROUNDS / 10; i++) parsePolicy('bench', text); // warm up
  const start = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) parsePolicy('bench', text);
  const micros = Number(process.hrtime.bigint() - start) / 1e3 / ROUNDS;
  console.log(`${name.padEnd(18)} ${String(text.length).padStart(6)} chars  ${micros.toFixed(1).padStart(8)} µs per parse`);
}

const docs = join(repoRoot, 'test', 'policy', 'vault-docs');
for (const file of ['admin.hcl', 'secret-broad.hcl', 'parameters.hcl', 'app.json']) {
  measure(file, readFileSync(join(docs, file), 'utf8'));
}
