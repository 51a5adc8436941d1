// Template wait { min, max } on the manual clock: a KV secret served by a fake transport changes
// while the runner polls it every 900 ms (static_secret_render_interval 1 s × 0.9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TEMPLATE_CONFIG, type Template } from '../../../src/agent/config/types.js';
import type { Transport } from '../../../src/agent/http.js';
import { createLogger } from '../../../src/agent/log.js';
import { ManualScheduler } from '../../../src/agent/schedule.js';
import { Quiescence } from '../../../src/agent/template/quiet.js';
import { compileTemplate, TemplateRunner, type Rendered } from '../../../src/agent/template/runner.js';

function setup(wait: { min: number; max: number }) {
  const clock = new ManualScheduler(0);
  const served = { value: 'a' };
  const transport: Transport = {
    address: 'http://kv.invalid',
    json: async () => undefined, // no mount information: the path is read as written
    raw: async () => ({ status: 200, headers: {}, body: Buffer.from(JSON.stringify({ data: { v: served.value }, lease_duration: 0 })) }),
  };
  const spec: Template = {
    contents: '{{ with secret "kv/x" }}{{ .Data.v }}{{ end }}', destination: '/unused', createDestDirs: false, backup: false, commands: [],
    commandTimeoutMs: 0, errorOnMissingKey: false, leftDelimiter: '{{', rightDelimiter: '}}', functionDenylist: [], waitMinMs: wait.min, waitMaxMs: wait.max,
  };
  const delivered: [number, string][] = [];
  const runner = new TemplateRunner({
    templates: [compileTemplate(spec, 'x')],
    output: {
      deliver: async (rendered: Rendered<Template>[]) => {
        // As files do: an unchanged text is no event.
        for (const { text } of rendered) if (delivered.at(-1)?.[1] !== text) delivered.push([clock.now(), text]);
        return true;
      },
    },
    config: { ...DEFAULT_TEMPLATE_CONFIG, staticSecretRenderIntervalMs: 1000 },
    transport, scheduler: clock, log: createLogger('error', () => undefined), env: {},
  });
  return { clock, served, runner, delivered };
}

test('wait: the first text waits for min; a text changing at every poll goes out at max; then quiet for min again', async () => {
  const { clock, served, runner, delivered } = setup({ min: 2000, max: 5000 });
  const stop = new AbortController();
  void runner.run(stop.signal, () => assert.fail('no fatal error'));
  for (let t = 0; t < 12_000; t += 100) {
    served.value = t < 2100 ? 'a' : t < 7300 ? `v${t / 100}` : 'z';
    await clock.advance(100);
  }
  stop.abort();
  // A poll at T reads what was served during the 100 ms before it. a: polled at 0, 900, 1800
  // unchanged, out at 0 + min. Changes seen at 2700 (v26: held until 4700, at most 7700),
  // 3600, 4500, 5400, 6300, 7200 (v71): out at the 7700 cap with the latest. z is seen at 8100
  // and stays: out at 8100 + min.
  assert.deepEqual(delivered, [[2000, 'a'], [7700, 'v71'], [10_100, 'z']]);
});

test('wait under exit-after-auth: renderAll returns once the held text has gone out', async () => {
  const { clock, runner, delivered } = setup({ min: 3000, max: 12_000 });
  let done = false;
  const all = runner.renderAll(new AbortController().signal).then((ok) => { done = ok; });
  await clock.advance(2900);
  assert.equal(done, false);
  assert.deepEqual(delivered, []);
  await clock.advance(100);
  await all;
  assert.equal(done, true);
  assert.deepEqual(delivered, [[3000, 'a']]);
});

test('Quiescence: an unchanged text is not held again; a change back within the hold still waits', () => {
  const q = new Quiescence(1000, 3000);
  assert.equal(q.offer('a', 0), undefined);
  assert.equal(q.dueAt, 1000);
  assert.equal(q.offer('a', 1000), 'a');
  assert.equal(q.offer('a', 1100), 'a', 'what went out last is not held');
  assert.equal(q.offer('b', 1200), undefined);
  assert.equal(q.offer('a', 1700), undefined);
  assert.equal(q.dueAt, 2700);
  assert.equal(q.offer('a', 2700), 'a');
  assert.equal(q.dueAt, undefined);
});
