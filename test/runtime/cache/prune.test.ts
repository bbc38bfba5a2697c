import { diskUsage, prune, StateDb } from '../../../runtime/cache/index.js';
import type { RefKind } from '../../../runtime/cache/index.js';

/** A database with one record per [key, ref, size, lastUsed]. */
function seed(records: readonly (readonly [string, string, number, number])[]) {
  const db = StateDb.openFile(':memory:');
  for (const [key, ref, size, at] of records) {
    db.addRef({ id: ref, kind: 'snapshot', size }, [], at);
    db.putCacheRecord({ key, refs: [ref], vertex: key, digest: 'sha256:x', size }, at);
  }
  const removed: string[] = [];
  const removeRef = async (id: string, _kind: RefKind) => void removed.push(id);
  return { db, removed, removeRef };
}

describe('prune', () => {
  it('deletes least recently used records until the store fits keepBytes', async () => {
    const { db, removed, removeRef } = seed([['new', 'r-new', 100, 300], ['old', 'r-old', 100, 100], ['mid', 'r-mid', 100, 200]]);
    const result = await prune(db, { keepBytes: 150, removeRef });
    expect(result).toEqual({ records: ['old', 'mid'], refs: ['r-old', 'r-mid'], bytes: 200 });
    expect(removed).toEqual(['r-old', 'r-mid']);
    expect(db.cacheRecords().map((r) => r.key)).toEqual(['new']);
    expect(db.totalSize()).toBe(100);
  });

  it('deletes only records last used before olderThan', async () => {
    const { db, removeRef } = seed([['a', 'ra', 1, 100], ['b', 'rb', 1, 900], ['c', 'rc', 1, 500]]);
    const result = await prune(db, { olderThanMs: 400, now: 1000, removeRef });
    expect(result.records).toEqual(['a', 'c']);
  });

  it('keeps records whose refs a named image holds, and removes orphans first', async () => {
    const { db, removed, removeRef } = seed([['pinned', 'layer', 50, 1], ['plain', 'snap', 50, 2]]);
    db.setImage('app:latest', 'sha256:m', ['layer']);
    db.addRef({ id: 'stray', kind: 'blob', size: 7 });
    const result = await prune(db, { removeRef });
    expect(removed).toEqual(['stray', 'snap']);
    expect(result).toEqual({ records: ['plain'], refs: ['stray', 'snap'], bytes: 57 });
    expect(diskUsage(db)).toMatchObject({ total: 50, records: [{ key: 'pinned', pinned: true }] });
  });

  it('removes the snapshots beneath a removed one once nothing else holds them', async () => {
    const { db, removed, removeRef } = seed([['top', 'upper', 1, 1], ['other', 'sibling', 1, 2]]);
    db.addRef({ id: 'lower', kind: 'snapshot', size: 10 }, ['ref:upper', 'ref:sibling']);
    await prune(db, { keepBytes: 11, removeRef });
    expect(removed).toEqual(['upper']);
    await prune(db, { removeRef });
    expect(removed).toEqual(['upper', 'sibling', 'lower']);
  });

  it('leaves an orphan for the next prune when removing data fails midway', async () => {
    const { db, removed, removeRef } = seed([['a', 'ra', 1, 1], ['b', 'rb', 1, 2]]);
    const failing = async (id: string) => {
      if (id === 'rb') throw new Error('device busy');
      removed.push(id);
    };
    await expect(prune(db, { removeRef: failing })).rejects.toThrow('device busy');
    expect(db.cacheRecords()).toEqual([]);
    expect(db.orphanRefs().map((r) => r.id)).toEqual(['rb']);
    expect(await prune(db, { removeRef })).toMatchObject({ records: [], refs: ['rb'] });
  });

  it('stops when its signal aborts', async () => {
    const { db, removeRef } = seed([['a', 'ra', 1, 1]]);
    await expect(prune(db, { removeRef, signal: AbortSignal.abort() })).rejects.toThrow();
  });
});
