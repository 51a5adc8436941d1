// The flag parser: Go's flag syntax, declared kinds checked, unknown flags refused in Go's words.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, FlagError, parseArgs, type FlagSpec } from '../../src/cli/args.js';

const SPECS: FlagSpec[] = [
  { name: 'policy', kind: 'strings', usage: '' },
  { name: 'ttl', kind: 'duration', usage: '' },
  { name: 'use-limit', kind: 'int', usage: '' },
  { name: 'orphan', kind: 'bool', usage: '' },
  { name: 'force', kind: 'bool', usage: '', aliases: ['f'] },
  { name: 'field', kind: 'string', usage: '' },
];

test('-name=value, -name value, --name=value and bare booleans', () => {
  const a = parseArgs(['-policy=a', '--policy', 'b', '-ttl=1h', '-orphan', 'pos', '-use-limit', '3'], SPECS);
  assert.deepEqual(a.all('policy'), ['a', 'b']);
  assert.equal(a.flag('ttl'), '1h');
  assert.equal(a.on('orphan'), true);
  assert.equal(a.flag('use-limit'), '3');
  assert.deepEqual(a.positional, ['pos']);
});

test('a boolean never takes the next argument; -x=false is false; aliases land on the declared name', () => {
  const a = parseArgs(['-orphan', 'tok', '-f=false'], SPECS);
  assert.deepEqual(a.positional, ['tok']);
  assert.equal(a.on('force'), false);
  assert.equal(a.flag('force'), 'false');
});

test('a value flag takes the next argument even when it starts with a dash, as Go does', () => {
  assert.equal(parseArgs(['-field', '-x'], SPECS).flag('field'), '-x');
});

test('-- ends the flags and a lone - is positional', () => {
  const a = parseArgs(['-', '--', '-orphan'], SPECS);
  assert.deepEqual(a.positional, ['-', '-orphan']);
  assert.equal(a.on('orphan'), false);
});

test('unknown flags are refused with Go\'s message, whichever dash style', () => {
  assert.throws(() => parseArgs(['-polcy=app-read'], SPECS), new FlagError('flag provided but not defined: -polcy'));
  assert.throws(() => parseArgs(['x', '--verions', '1'], SPECS), new FlagError('flag provided but not defined: -verions'));
});

test('bad values and missing values are refused', () => {
  assert.throws(() => parseArgs(['-use-limit=many'], SPECS), /invalid value "many" for flag -use-limit: parse error/);
  assert.throws(() => parseArgs(['-ttl=soon'], SPECS), /invalid value "soon" for flag -ttl: time: invalid duration "soon"/);
  assert.throws(() => parseArgs(['-orphan=maybe'], SPECS), /invalid boolean value "maybe" for -orphan: parse error/);
  assert.throws(() => parseArgs(['-field'], SPECS), /flag needs an argument: -field/);
  assert.throws(() => parseArgs(['---x'], SPECS), /bad flag syntax: ---x/);
});

test('closest finds near misses and prefixes, nothing for a far word', () => {
  assert.deepEqual(closest('tken', ['token', 'kv', 'status']), ['token']);
  assert.deepEqual(closest('stat', ['status', 'token']), ['status']);
  assert.deepEqual(closest('zzzzzz', ['status', 'token']), []);
});
