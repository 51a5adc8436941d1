// Vault's duration fields: seconds as a number or digits, or Go's unit syntax (with Vault's
// "d"), counted as Go counts them and truncated to whole seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDurationSeconds } from '../../src/util/duration.js';

/** Each input with the seconds it reads as. */
const cases: Array<[string, Array<[unknown, number]>]> = [
  ['seconds given as a number or as digits', [[300, 300], [1.9, 1], ['300', 300], [' 10m ', 600], ['', 0]]],
  ['Go units add up; "d" is a day as in Vault', [['1h30m', 5400], ['90s', 90], ['5d', 432_000], ['1500ms', 1], ['2h45m30s', 9930]]],
  // In floating point 8.2 × 60 is 491.99… and 1.005 × 3600 is 3617.99…: Go gives 492 s and 3618 s.
  ['decimals are exact, as Go counts them in integer nanoseconds, then truncated', [
    ['8.2m', 492], ['1.005h', 3618], ['1.5h', 5400], ['.5h', 1800], ['1.h', 3600], ['0.5s', 0], ['1.9999999999s', 1],
  ]],
];

for (const [name, pairs] of cases) {
  test(name, () => {
    for (const [input, seconds] of pairs) assert.equal(parseDurationSeconds(input), seconds, String(input));
  });
}

test('anything else is not a duration', () => {
  for (const bad of ['.h', 'h', '1x', '-1s', '1e3s', '1h-5m', 'P1D', '99999999999999999999h', -5, Number.NaN, null, {}]) {
    assert.equal(parseDurationSeconds(bad), undefined, String(bad));
  }
});

test('formatted as Go prints a time.Duration', () => {
  assert.deepEqual([0, 59, 90, 3600, 5400, 90061].map(formatDuration), ['0s', '59s', '1m30s', '1h0m0s', '1h30m0s', '25h1m1s']);
});
