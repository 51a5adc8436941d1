// The one contract every Storage passes: physical backends, views, and (later) barrier stacks.
// Each test opens a fresh storage, creates what it reads, and closes it.

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { BadRequest } from '../../src/util/errors.js';
import type { Storage } from '../../src/storage/storage.js';

/** Opens a fresh, empty storage and says how to release it. */
export type OpenStorage = () => Promise<{ storage: Storage; close(): Promise<void> }>;

/** What a backend may legitimately limit. */
export type ContractOptions = {
  /**
   * The largest value the backend stores (etcd's request limit); values above it must be
   * refused with BadRequest and leave nothing behind. Unlimited backends round-trip 5 MiB.
   */
  maxValueBytes?: number;
};

/** Registers the shared storage tests under `name`, each on a fresh storage from `open`. */
export function storageContract(name: string, open: OpenStorage, options: ContractOptions = {}): void {
  const it = (title: string, body: (s: Storage) => Promise<void>): void => {
    test(`${name}: ${title}`, async () => {
      const { storage, close } = await open();
      try {
        await body(storage);
      } finally {
        await close();
      }
    });
  };
  basics(it);
  listing(it);
  values(it, options);
  transactions(it);
  concurrencyAndKeys(it);
}

type It = (title: string, body: (s: Storage) => Promise<void>) => void;
const b = (text: string): Buffer => Buffer.from(text);

function basics(it: It): void {
  it('get of a missing key is undefined', async (s) => {
    assert.equal(await s.get('missing'), undefined);
    assert.equal(await s.get('no/such/key'), undefined);
  });

  it('put, get, overwrite, delete', async (s) => {
    await s.put('k/one', b('v1'));
    assert.deepEqual(await s.get('k/one'), b('v1'));
    await s.put('k/one', b('v2'));
    assert.deepEqual(await s.get('k/one'), b('v2'));
    await s.delete('k/one');
    assert.equal(await s.get('k/one'), undefined);
    assert.deepEqual(await s.list('k/'), []);
  });

  it('deleting a missing key is not an error', async (s) => {
    await s.delete('never/written');
    assert.equal(await s.get('never/written'), undefined);
  });
}

function listing(it: It): void {
  it('list returns direct children only, folders once with "/", in bytewise order', async (s) => {
    const keys = ['a', 'a/b', 'a/c/d', 'a/c/e', 'a-b', 'B', 'é', 'z/y/x', '\uFFFD', '😀'];
    for (const key of keys) await s.put(key, b(key));
    // UTF-8 bytes: 'B' < 'a' < 'a-b' < 'a/' < 'z/' < 'é' (C3) < U+FFFD (EF) < 😀 (F0).
    assert.deepEqual(await s.list(''), ['B', 'a', 'a-b', 'a/', 'z/', 'é', '\uFFFD', '😀']);
    assert.deepEqual(await s.list('a/'), ['b', 'c/']);
    assert.deepEqual(await s.list('a/c/'), ['d', 'e']);
    assert.deepEqual(await s.list('z/'), ['y/']);
    assert.deepEqual(await s.list('nothing/'), []);
  });

  it('a folder disappears from its parent when its last key is deleted', async (s) => {
    await s.put('f/sub/x', b('1'));
    await s.put('f/leaf', b('2'));
    await s.delete('f/sub/x');
    assert.deepEqual(await s.list('f/'), ['leaf']);
  });

  it('after/limit page through a folder of 1,000 children exactly once', async (s) => {
    const expected: string[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      const name = `k${String(i).padStart(4, '0')}`;
      if (i % 10 === 0) {
        // Every tenth child is a folder of two keys: listing must report it once.
        expected.push(`${name}/`);
        writes.push(s.put(`p/${name}/x`, b('x')), s.put(`p/${name}/y/z`, b('z')));
      } else {
        expected.push(name);
        writes.push(s.put(`p/${name}`, b(name)));
      }
    }
    writes.push(s.put('o/outside', b('o')), s.put('p0', b('sibling')));
    await Promise.all(writes);
    assert.deepEqual(await s.list('p/'), expected);

    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await s.list('p/', { after, limit: 7 });
      assert.ok(page.length <= 7);
      seen.push(...page);
      if (page.length < 7) break;
      after = page[page.length - 1];
    }
    assert.deepEqual(seen, expected);
    assert.deepEqual(await s.list('p/', { after: 'k0005', limit: 3 }), ['k0006', 'k0007', 'k0008']);
    assert.deepEqual(await s.list('p/', { after: 'k0010/', limit: 1 }), ['k0011']);
    assert.deepEqual(await s.list('p/', { after: 'k0010/x', limit: 1 }), ['k0011']);
    assert.deepEqual(await s.list('p/', { after: 'k0009z', limit: 1 }), ['k0010/']);
    assert.deepEqual(await s.list('p/', { after: 'k0999' }), []);
  });
}

function values(it: It, options: ContractOptions): void {
  const max = options.maxValueBytes;
  it(max === undefined ? 'a 5 MiB value round-trips' : 'the largest value round-trips, a larger one is refused', async (s) => {
    const big = randomBytes(max ?? 5 * 1024 * 1024);
    await s.put('big', big);
    const back = await s.get('big');
    assert.ok(back !== undefined && back.equals(big));
    if (max === undefined) return;
    await assert.rejects(s.put('too/big', randomBytes(max + 1)), BadRequest);
    await assert.rejects(s.transaction(async (tx) => {
      await tx.put('too/small', b('x'));
      await tx.put('too/big', randomBytes(max + 1));
    }), BadRequest);
    assert.deepEqual(await s.list('too/'), []);
  });

  it('binary values round-trip exactly, including empty ones', async (s) => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const invalidUtf8 = Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x00]);
    await s.put('bin/all', all);
    await s.put('bin/bad-utf8', invalidUtf8);
    await s.put('bin/empty', Buffer.alloc(0));
    assert.deepEqual(await s.get('bin/all'), all);
    assert.deepEqual(await s.get('bin/bad-utf8'), invalidUtf8);
    assert.deepEqual(await s.get('bin/empty'), Buffer.alloc(0));
  });

  it('values are copied in and out', async (s) => {
    const value = b('original');
    await s.put('copy', value);
    value.fill(0);
    const first = await s.get('copy');
    assert.deepEqual(first, b('original'));
    first?.fill(0);
    assert.deepEqual(await s.get('copy'), b('original'));
  });
}

function transactions(it: It): void {
  it('a committed transaction makes all its writes visible', async (s) => {
    await s.put('t/old', b('old'));
    const result = await s.transaction(async (tx) => {
      await tx.put('t/a', b('1'));
      await tx.put('t/sub/b', b('2'));
      await tx.delete('t/old');
      return 'done';
    });
    assert.equal(result, 'done');
    assert.deepEqual(await s.get('t/a'), b('1'));
    assert.deepEqual(await s.get('t/sub/b'), b('2'));
    assert.equal(await s.get('t/old'), undefined);
    assert.deepEqual(await s.list('t/'), ['a', 'sub/']);
  });

  it('a transaction that throws leaves nothing behind', async (s) => {
    await s.put('r/keep', b('kept'));
    const boom = new Error('boom');
    await assert.rejects(
      s.transaction(async (tx) => {
        await tx.put('r/new', b('x'));
        await tx.put('r/keep', b('changed'));
        await tx.delete('r/keep');
        throw boom;
      }),
      (err) => err === boom,
    );
    assert.equal(await s.get('r/new'), undefined);
    assert.deepEqual(await s.get('r/keep'), b('kept'));
    assert.deepEqual(await s.list('r/'), ['keep']);
  });

  it('reads inside a transaction see its own writes, outside readers do not', async (s) => {
    await s.put('v/gone/only', b('1'));
    await s.put('v/stays', b('2'));
    await s.put('v/b', b('3'));
    await s.transaction(async (tx) => {
      await tx.put('v/a', b('new'));
      await tx.put('v/fresh/deep/x', b('4'));
      await tx.delete('v/gone/only');
      await tx.delete('v/b');
      assert.deepEqual(await tx.get('v/a'), b('new'));
      assert.equal(await tx.get('v/b'), undefined);
      assert.deepEqual(await tx.get('v/stays'), b('2'));
      assert.deepEqual(await tx.list('v/'), ['a', 'fresh/', 'stays']);
      assert.deepEqual(await tx.list('v/', { limit: 2 }), ['a', 'fresh/']);
      assert.deepEqual(await tx.list('v/', { after: 'a', limit: 1 }), ['fresh/']);
      assert.deepEqual(await tx.list('v/fresh/'), ['deep/']);
      assert.equal(await s.get('v/a'), undefined);
      assert.deepEqual(await s.list('v/'), ['b', 'gone/', 'stays']);
    });
    assert.deepEqual(await s.list('v/'), ['a', 'fresh/', 'stays']);
  });

  it('a nested transaction runs inside the outer one', async (s) => {
    await s.transaction(async (tx) => {
      await tx.put('n/outer', b('1'));
      await tx.transaction(async (inner) => {
        assert.deepEqual(await inner.get('n/outer'), b('1'));
        await inner.put('n/inner', b('2'));
      });
      await assert.rejects(tx.transaction(async (inner) => {
        await inner.put('n/undone', b('3'));
        throw new Error('inner fails');
      }));
      assert.equal(await s.get('n/inner'), undefined);
    });
    assert.deepEqual(await s.list('n/'), ['inner', 'outer']);
  });
}

function concurrencyAndKeys(it: It): void {
  it('200 concurrent writers all land', async (s) => {
    const writers = Array.from({ length: 200 }, (_, i) =>
      i % 4 === 0
        ? s.transaction(async (tx) => {
          await tx.put(`c/${i}`, b(String(i)));
        })
        : s.put(`c/${i}`, b(String(i))));
    await Promise.all(writers);
    assert.equal((await s.list('c/')).length, 200);
    for (let i = 0; i < 200; i++) assert.deepEqual(await s.get(`c/${i}`), b(String(i)));
  });

  it('invalid keys are refused with BadRequest', async (s) => {
    const bad = ['../x', 'a/../b', 'a/..', '/abs', 'ctl\u0001char', 'del\u007f', 'a//b', '', 'lone\uD800'];
    for (const key of bad) {
      await assert.rejects(s.get(key), BadRequest, `get ${JSON.stringify(key)}`);
      await assert.rejects(s.put(key, b('x')), BadRequest, `put ${JSON.stringify(key)}`);
      await assert.rejects(s.delete(key), BadRequest, `delete ${JSON.stringify(key)}`);
      await assert.rejects(s.transaction((tx) => tx.put(key, b('x'))), BadRequest);
    }
    await assert.rejects(s.get('../x'), { message: 'relative paths not supported' });
    for (const prefix of ['../', 'a/../', '/abs/', 'x\u0000/']) {
      await assert.rejects(s.list(prefix), BadRequest, `list ${JSON.stringify(prefix)}`);
    }
    assert.deepEqual(await s.list(''), []);
  });
}
