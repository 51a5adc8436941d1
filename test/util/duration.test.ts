// Vault's duration fields: seconds as a number or digits, or Go's unit syntax (with Vault's
// "d"), counted as Go counts them and truncated to whole seconds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDurationSeconds } from '../../src/util/duration.js';

test('seconds given as a number or as digits', () => {
  assert.equal(parseDurationSeconds(300), 300);
  assert.equal(parseDurationSeconds(1.9), 1);
  assert.equal(parseDurationSeconds('300'), 300);
  assert.equal(parseDurationSeconds(' 10m '), 600);
  assert.equal(parseDurationSeconds(''), 0);
});

test('Go units add up; "d" is a day as in Vault', () => {
  assert.equal(parseDurationSeconds('1h30m'), 5400);
  assert.equal(parseDurationSeconds('90s'), 90);
  assert.equal(parseDurationSeconds('5d'), 432_000);
  assert.equal(parseDurationSeconds('1500ms'), 1);
  assert.equal(parseDurationSeconds('2h45m30s'), 9930);
});

test('decimals are exact, as Go counts them in integer nanoseconds, then truncated', () => {
  // In floating point 8.2 × 60 is 491.99… and 1.005 × 3600 is 3617.99…: Go gives 492 s and 3618 s.
  assert.equal(parseDurationSeconds('8.2m'), 492);
  assert.equal(parseDurationSeconds('1.005h'), 3618);
  assert.equal(parseDurationSeconds('1.5h'), 5400);
  assert.equal(parseDurationSeconds('.5h'), 1800);
  assert.equal(parseDurationSeconds('1.h'), 3600);
  assert.equal(parseDurationSeconds('0.5s'), 0);
  assert.equal(parseDurationSeconds('1.9999999999s'), 1);
});

test('anything else is not a duration', () => {
  for (const bad of ['.h', 'h', '1x', '-1s', '1e3s', '1h-5m', 'P1D', '99999999999999999999h', -5, Number.NaN, null, {}]) {
    assert.equal(parseDurationSeconds(bad), undefined, String(bad));
  }
});

test('formatted as Go prints a time.Duration', () => {
  assert.deepEqual([0, 59, 90, 3600, 5400, 90061].map(formatDuration), ['0s', '59s', '1m30s', '1h0m0s', '1h30m0s', '25h1m1s']);
});
