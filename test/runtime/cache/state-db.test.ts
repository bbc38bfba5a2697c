import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { StateDb } from '../../../runtime/cache/index.js';
import { MIGRATIONS } from '../../../runtime/cache/migrations.js';
import { spawnWorker } from './child/spawn-worker.js';
import { tempRoots } from './temp-root.js';

const newRoot = tempRoots();
const tables = (db: StateDb) => db.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();

describe('StateDb', () => {
  it('creates the schema in WAL mode, and migrating again changes nothing', () => {
    const root = newRoot();
    const db = StateDb.open(root);
    expect(db.version).toBe(MIGRATIONS.length);
    expect(db.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(tables(db)).toEqual(['cache_records', 'images', 'ref_owners', 'refs', 'unsynced']);
    db.addRef({ id: 'r1', kind: 'snapshot', size: 10 }, ['keep']);
    db.migrate();
    db.close();

    const again = StateDb.open(root);
    expect(again.version).toBe(MIGRATIONS.length);
    expect(again.ref('r1')).toMatchObject({ id: 'r1', size: 10 });
    again.close();
  });

  it('writes use times with the next write or at close, never in a commit of their own', () => {
    const root = newRoot();
    const db = StateDb.open(root);
    db.addRef({ id: 'r', kind: 'snapshot' });
    db.putCacheRecord({ key: 'k', refs: ['r'], vertex: 'v', digest: 'sha256:0', size: 0 }, 1000);
    db.putCacheRecord({ key: 'j', refs: ['r'], vertex: 'w', digest: 'sha256:1', size: 0 }, 1000);
    const other = StateDb.open(root);
    const changes = () => db.db.prepare('SELECT total_changes()').pluck().get() as number;
    const before = changes();
    db.touchCacheRecord('k', 2000);
    db.touchCacheRecord('k', 1500);
    expect(changes()).toBe(before);
    // This connection sees the touch at once; the file has it after the next write.
    expect(db.cacheRecord('k')).toMatchObject({ lastUsed: 2000 });
    expect(other.cacheRecord('k')).toMatchObject({ lastUsed: 1000 });
    db.addRef({ id: 'x', kind: 'blob' });
    expect(other.cacheRecord('k')).toMatchObject({ lastUsed: 2000 });
    db.touchCacheRecord('j', 3000);
    expect(db.cacheRecords().map((r) => [r.key, r.lastUsed])).toEqual([['k', 2000], ['j', 3000]]);
    db.touchCacheRecord('k', 4000);
    db.close();
    expect(other.cacheRecord('k')).toMatchObject({ lastUsed: 4000 });
    other.close();
  });

  it('keeps a row for a build whose snapshots are not synced yet, written with its first record', async () => {
    const root = newRoot();
    const db = StateDb.open(root);
    const other = StateDb.open(root);
    db.trackUnsynced('boot-a', 1000);
    expect(other.unsyncedBuilds()).toEqual([]);
    db.addRef({ id: 'r', kind: 'snapshot' });
    db.putCacheRecord({ key: 'k', refs: ['r'], vertex: 'v', digest: 'sha256:0', size: 0 }, 2000);
    // Durable with the records it covers: another connection sees it.
    expect(other.unsyncedBuilds()).toEqual([{ boot: 'boot-a', pid: process.pid, started: 1000 }]);
    await db.markSynced();
    expect(other.unsyncedBuilds()).toEqual([]);
    db.close();
    other.close();
  });

  it('leaves commits to flush() only when opened so, and flushes the log whether or not there is one', async () => {
    const root = newRoot();
    const synchronous = (db: StateDb) => db.db.pragma('synchronous', { simple: true });
    const full = StateDb.open(root);
    expect(synchronous(full)).toBe(2); // FULL: on disk at each commit
    full.close();
    const db = StateDb.open(root, { durableAt: 'flush' });
    expect(synchronous(db)).toBe(1); // NORMAL: in order, on disk at the next sync of the log
    db.trackUnsynced('boot-a', 1000);
    db.addRef({ id: 'r', kind: 'snapshot' });
    expect(existsSync(join(root, 'state.db-wal'))).toBe(true);
    await db.markSynced();
    db.db.pragma('wal_checkpoint(TRUNCATE)');
    await db.flush();
    db.close();
    const again = StateDb.open(root);
    expect(again.ref('r')).toMatchObject({ id: 'r' });
    expect(again.unsyncedBuilds()).toEqual([]);
    again.close();
    await expect(StateDb.openFile(':memory:', { durableAt: 'flush' }).flush()).resolves.toBeUndefined();
  });

  it('drops what a build recorded when the machine went down under it, and only that', () => {
    const db = StateDb.openFile(':memory:');
    db.addRef({ id: 'old', kind: 'snapshot' });
    db.putCacheRecord({ key: 'before', refs: ['old'], vertex: 'v', digest: 'sha256:0', size: 0 }, 500);
    db.trackUnsynced('boot-a', 1000);
    db.addRef({ id: 'new', kind: 'snapshot' });
    db.putCacheRecord({ key: 'during', refs: ['new'], vertex: 'w', digest: 'sha256:1', size: 0 }, 1500);
    const [row] = db.unsyncedBuilds();
    expect(db.settleUnsynced(row!, true)).toBe(1);
    expect(db.cacheRecord('before')).toBeDefined();
    expect(db.cacheRecord('during')).toBeUndefined();
    expect(db.unsyncedBuilds()).toEqual([]);
    // A build killed on this boot: its writes are in the page cache; its records stay.
    db.trackUnsynced('boot-b', 2000);
    db.putCacheRecord({ key: 'kept', refs: ['new'], vertex: 'x', digest: 'sha256:2', size: 0 }, 2500);
    expect(db.settleUnsynced(db.unsyncedBuilds()[0]!, false)).toBe(0);
    expect(db.cacheRecord('kept')).toBeDefined();
    expect(db.unsyncedBuilds()).toEqual([]);
  });

  it('refuses a database made by a newer kiln', () => {
    const root = newRoot();
    const db = StateDb.open(root);
    db.db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => StateDb.open(root)).toThrow(expect.objectContaining({ code: 'state/too-new' }));
  });

  it('rolls a transaction back whole when it throws', () => {
    const db = StateDb.openFile(':memory:');
    expect(() =>
      db.withTransaction(() => {
        db.addRef({ id: 'a', kind: 'blob' });
        db.withTransaction(() => db.addRef({ id: 'b', kind: 'blob' }));
        throw new Error('killed midway');
      }),
    ).toThrow('killed midway');
    expect(db.ref('a')).toBeUndefined();
    expect(db.ref('b')).toBeUndefined();
  });

  it('keeps refs by owner: releasing the last owner makes an orphan, deleting cascades', () => {
    const db = StateDb.openFile(':memory:');
    db.addRef({ id: 'base', kind: 'snapshot', size: 5 });
    db.addRef({ id: 'top', kind: 'snapshot', size: 3 }, ['cache:k']);
    db.addOwner('base', 'ref:top');
    db.addOwner('base', 'other');
    expect(db.releaseOwner('other')).toEqual([]);
    expect(db.orphanRefs()).toEqual([]);
    expect(db.releaseOwner('cache:k')).toEqual(['top']);
    expect(db.deleteRef('top')).toEqual(['base']);
    expect(db.orphanRefs().map((r) => r.id)).toEqual(['base']);
    expect(db.totalSize()).toBe(5);
  });

  it('updates a ref size only when one is given', () => {
    const db = StateDb.openFile(':memory:');
    db.addRef({ id: 'a', kind: 'blob', size: 7 });
    db.addRef({ id: 'a', kind: 'blob' });
    expect(db.ref('a')?.size).toBe(7);
    db.addRef({ id: 'a', kind: 'blob', size: 9 });
    expect(db.ref('a')?.size).toBe(9);
  });

  it('names images, moving the hold on their refs', () => {
    const db = StateDb.openFile(':memory:');
    for (const id of ['l1', 'l2']) db.addRef({ id, kind: 'blob' });
    db.setImage('example.com/app:1', 'sha256:aa', ['l1', 'l2'], 1);
    db.setImage('example.com/app:1', 'sha256:bb', ['l2'], 2);
    expect(db.image('example.com/app:1')).toEqual({ name: 'example.com/app:1', digest: 'sha256:bb', created: 1, updated: 2 });
    expect(db.ownersOf('l1')).toEqual([]);
    expect(db.ownersOf('l2')).toEqual(['image:example.com/app:1']);
    expect(db.deleteImage('example.com/app:1')).toEqual(['l2']);
    expect(db.images()).toEqual([]);
  });

  it('lets two processes open and write one database at once', async () => {
    const root = newRoot();
    const writers = ['a', 'b'].map((tag) => spawnWorker(['db-writer', root, '200', tag]));
    const results = await Promise.all(writers.map((w) => w.exited));
    for (const r of results) expect(r).toEqual({ code: 0, stderr: '' });
    const db = StateDb.open(root);
    expect(db.cacheRecords()).toHaveLength(400);
    expect(db.totalSize()).toBe(400);
    expect(db.orphanRefs()).toEqual([]);
    expect(db.db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
  });

  it('opens a database file in a new directory', () => {
    const db = StateDb.openFile(join(newRoot(), 'deep', 'er', 'state.db'));
    expect(db.version).toBe(MIGRATIONS.length);
    db.close();
  });
});
