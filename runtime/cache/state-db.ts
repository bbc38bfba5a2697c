import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import { MIGRATIONS } from './migrations.js';
import { rootPaths } from './root.js';
import { openSqlite } from './sqlite.js';

/** What a ref is: a committed snapshot, or a blob of the content store. */
export type RefKind = 'snapshot' | 'blob';

/** A ref the state root keeps, with its size in bytes. */
export interface RefRecord {
  readonly id: string;
  readonly kind: RefKind;
  readonly size: number;
  readonly created: number;
}

/** A named image: a reference pointing at a manifest in the content store. */
export interface ImageRecord {
  readonly name: string;
  readonly digest: string;
  readonly created: number;
  readonly updated: number;
}

/** A finished vertex's results, by cache key. */
export interface CacheRecord {
  readonly key: string;
  /** One ref id per output of the vertex. */
  readonly refs: readonly string[];
  readonly vertex: string;
  readonly digest: string;
  readonly created: number;
  readonly lastUsed: number;
  readonly size: number;
}

interface CacheRow {
  key: string;
  refs: string;
  vertex: string;
  digest: string;
  created: number;
  last_used: number;
  size: number;
}

const CACHE_COLUMNS = 'key, refs, vertex, digest, created, last_used, size';

function cacheRecordOf(row: CacheRow): CacheRecord {
  return { key: row.key, refs: JSON.parse(row.refs) as string[], vertex: row.vertex, digest: row.digest, created: row.created, lastUsed: row.last_used, size: row.size };
}

/** Options of {@link StateDb.open}. */
export interface StateDbOptions {
  /** How long a writer waits for another process's transaction, in ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `commit` (the default): each commit is on disk when it returns. `flush`: commits reach the
   * disk at flush() (SQLite's synchronous=NORMAL; a power loss before it may lose the last
   * transactions, never the database's consistency). A commit apiece cost ~0.4 ms, a dozen per build.
   */
  readonly durableAt?: 'commit' | 'flush';
}

/** The owner string a cache record holds its refs by. */
export const cacheOwner = (key: string) => `cache:${key}`;
/** The owner string a named image holds its refs by. */
export const imageOwner = (name: string) => `image:${name}`;
/** The owner string a snapshot holds the snapshots it is stacked on by. */
export const refOwner = (id: string) => `ref:${id}`;

/**
 * kiln's metadata database, `<root>/state.db` (SQLite through better-sqlite3):
 * cache records, refs and their owners, named images. WAL mode lets readers run
 * beside a writer in another process; every write is one transaction, so a
 * process killed anywhere leaves the database as it was before or after it.
 *
 * better-sqlite3 is synchronous: a transaction can hold no `await`, which is
 * what keeps it short. Do the I/O first, then record it in one transaction.
 */
export class StateDb {
  readonly db: Database.Database;
  /** Use times not written yet (see touchCacheRecord). */
  readonly #touched = new Map<string, number>();
  /** This process's row of `unsynced`, written with its first write transaction (see trackUnsynced). */
  #unsynced: { readonly boot: string; readonly started: number; written: boolean } | undefined;

  /** Prepared statements by their text: preparing one took about as long as running it. */
  readonly #statements = new Map<string, Database.Statement>();

  readonly #durableAt: 'commit' | 'flush';

  private constructor(db: Database.Database, durableAt: 'commit' | 'flush') {
    this.db = db;
    this.#durableAt = durableAt;
  }

  #sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) this.#statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /**
   * Puts every commit made so far on disk (what `durableAt: 'flush'` leaves to the caller). An
   * fsync of the log, in the thread pool: ~3 ms that held the main thread as a build exported.
   */
  async flush(): Promise<void> {
    if (this.#durableAt === 'commit' || this.db.memory) return;
    let log: FileHandle;
    try {
      log = await open(`${this.db.name}-wal`, 'r');
    } catch {
      return; // no log: every commit is in the database file, which a checkpoint synced
    }
    try {
      await log.sync();
    } finally {
      await log.close();
    }
  }

  /** Opens (creating) the database of a state root and brings its schema up to date. */
  static open(root: string, opts: StateDbOptions = {}): StateDb {
    return StateDb.openFile(rootPaths(root).db, opts);
  }

  /** Opens a database file directly (`:memory:` for tests). */
  static openFile(path: string, opts: StateDbOptions = {}): StateDb {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    let db: Database.Database;
    try {
      db = openSqlite(path, opts.busyTimeoutMs ?? 10_000);
      db.pragma('journal_mode = WAL');
      // FULL: a committed transaction survives power loss too, not only a killed process. In WAL
      // mode NORMAL keeps the commits in order: a power loss drops a suffix of them.
      db.pragma(opts.durableAt === 'flush' ? 'synchronous = NORMAL' : 'synchronous = FULL');
      db.pragma('foreign_keys = ON');
    } catch (err) {
      throw new KilnError('state/open-failed', `cannot open the state database ${path}`, { cause: err });
    }
    const state = new StateDb(db, opts.durableAt ?? 'commit');
    state.migrate();
    return state;
  }

  /** The schema version the database stands at. */
  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Applies the migrations the database lacks, each in its own write
   * transaction that re-reads the version, so processes racing to open a new
   * root apply each one once. Idempotent.
   */
  migrate(): void {
    for (;;) {
      const applied = this.withTransaction(() => {
        const v = this.version;
        if (v > MIGRATIONS.length) {
          throw new KilnError('state/too-new', `the state database is at schema ${v}; this kiln knows up to ${MIGRATIONS.length}`);
        }
        const step = MIGRATIONS[v];
        if (step === undefined) return false;
        this.db.exec(step);
        this.db.pragma(`user_version = ${v + 1}`);
        return true;
      });
      if (!applied) return;
    }
  }

  /**
   * Runs `fn` in one write transaction (`BEGIN IMMEDIATE`: the write lock is
   * taken up front, so a busy database makes it wait instead of failing midway);
   * commits when it returns, rolls back when it throws. Nested calls join the outer one.
   */
  withTransaction<T>(fn: () => T): T {
    const unsynced = this.db.inTransaction ? undefined : this.#unsynced;
    const result = this.db.transaction(() => {
      this.#writeTouches();
      if (unsynced && !unsynced.written) {
        this.#sql('INSERT OR REPLACE INTO unsynced (boot, pid, started) VALUES (?, ?, ?)').run(unsynced.boot, process.pid, unsynced.started);
      }
      return fn();
    }).immediate();
    if (unsynced) unsynced.written = true;
    return result;
  }

  /**
   * Notes that this process writes snapshots that reach the disk only at its end (overlay mounts
   * are volatile; see Snapshotter.sync): its row goes in with its first record, durable with it,
   * and markSynced() removes it. A row left from another boot means the machine went down under
   * that build, and recoverUnsynced() drops what it recorded.
   */
  trackUnsynced(boot: string, started = Date.now()): void {
    this.#unsynced = { boot, started, written: false };
  }

  /**
   * This process's snapshots are on disk: the records made with them are put there too (cheap
   * after the syncfs of the same file system), then its `unsynced` row goes. That removal is not
   * synced: a power loss before the kernel writes it back (or before the next flush) keeps the
   * row, and recovery drops records that were safe, never the reverse.
   */
  async markSynced(): Promise<void> {
    const mine = this.#unsynced;
    this.#unsynced = undefined;
    await this.flush();
    if (mine?.written) this.#sql('DELETE FROM unsynced WHERE boot = ? AND pid = ?').run(mine.boot, process.pid);
  }

  /** Rows of builds that never got to markSynced(). */
  unsyncedBuilds(): { readonly boot: string; readonly pid: number; readonly started: number }[] {
    return this.#sql('SELECT boot, pid, started FROM unsynced ORDER BY started').all() as { boot: string; pid: number; started: number }[];
  }

  /**
   * Settles a row of unsyncedBuilds(): with `lost`, the cache records made since that build
   * started are dropped (their snapshots may never have reached the disk; unowned, a prune
   * removes them). Returns how many records went.
   */
  settleUnsynced(row: { readonly boot: string; readonly pid: number; readonly started: number }, lost: boolean): number {
    return this.withTransaction(() => {
      let dropped = 0;
      if (lost) {
        const keys = this.#sql('SELECT key FROM cache_records WHERE created >= ?').pluck().all(row.started) as string[];
        for (const key of keys) this.deleteCacheRecord(key);
        dropped = keys.length;
      }
      this.#sql('DELETE FROM unsynced WHERE boot = ? AND pid = ?').run(row.boot, row.pid);
      return dropped;
    });
  }

  // Refs and owners.

  /** Records a ref (updating its size when one is given) and adds owners to it. */
  addRef(ref: { readonly id: string; readonly kind: RefKind; readonly size?: number }, owners: readonly string[] = [], now = Date.now()): void {
    this.withTransaction(() => {
      this.#sql('INSERT INTO refs (id, kind, size, created) VALUES (?, ?, COALESCE(?, 0), ?) ON CONFLICT (id) DO UPDATE SET size = COALESCE(?, size)')
        .run(ref.id, ref.kind, ref.size ?? null, now, ref.size ?? null);
      for (const owner of owners) this.addOwner(ref.id, owner);
    });
  }

  /** Makes `owner` hold a recorded ref. */
  addOwner(refId: string, owner: string): void {
    this.#sql('INSERT OR IGNORE INTO ref_owners (ref, owner) VALUES (?, ?)').run(refId, owner);
  }

  /** Drops every hold of `owner`; returns the refs left with no owner (garbage for prune). */
  releaseOwner(owner: string): string[] {
    return this.withTransaction(() => {
      const held = this.#sql('SELECT ref FROM ref_owners WHERE owner = ?').pluck().all(owner) as string[];
      this.#sql('DELETE FROM ref_owners WHERE owner = ?').run(owner);
      return held.filter((id) => this.ownersOf(id).length === 0);
    });
  }

  ref(id: string): RefRecord | undefined {
    return this.#sql('SELECT id, kind, size, created FROM refs WHERE id = ?').get(id) as RefRecord | undefined;
  }

  ownersOf(refId: string): string[] {
    return this.#sql('SELECT owner FROM ref_owners WHERE ref = ? ORDER BY owner').pluck().all(refId) as string[];
  }

  /** Every recorded ref, oldest first. */
  refs(): RefRecord[] {
    return this.#sql('SELECT id, kind, size, created FROM refs ORDER BY created').all() as RefRecord[];
  }

  /** Refs nobody owns: what a prune removes first. */
  orphanRefs(): RefRecord[] {
    return this.#sql('SELECT id, kind, size, created FROM refs r WHERE NOT EXISTS (SELECT 1 FROM ref_owners o WHERE o.ref = r.id) ORDER BY created')
      .all() as RefRecord[];
  }

  /**
   * Forgets a ref whose data is gone, with its owners and the holds it had on
   * the refs beneath it; returns those that are now orphans.
   */
  deleteRef(id: string): string[] {
    return this.withTransaction(() => {
      const orphaned = this.releaseOwner(refOwner(id));
      this.#sql('DELETE FROM refs WHERE id = ?').run(id);
      return orphaned.filter((r) => r !== id);
    });
  }

  /** Bytes of every recorded ref. */
  totalSize(): number {
    return (this.#sql('SELECT COALESCE(SUM(size), 0) FROM refs').pluck().get() as number) ?? 0;
  }

  // Cache records.

  cacheRecord(key: string): CacheRecord | undefined {
    const row = this.#sql(`SELECT ${CACHE_COLUMNS} FROM cache_records WHERE key = ?`).get(key) as CacheRow | undefined;
    const touched = this.#touched.get(key);
    return row && cacheRecordOf(touched === undefined ? row : { ...row, last_used: Math.max(row.last_used, touched) });
  }

  /** Every cache record, least recently used first. */
  cacheRecords(): CacheRecord[] {
    if (this.#touched.size > 0) this.withTransaction(() => undefined);
    return (this.#sql(`SELECT ${CACHE_COLUMNS} FROM cache_records ORDER BY last_used, created, key`).all() as CacheRow[]).map(cacheRecordOf);
  }

  /**
   * Records a vertex's results under a key, replacing what the key held; the
   * record owns its refs, which must be recorded already. Returns the refs the
   * replaced record leaves with no owner.
   */
  putCacheRecord(rec: Omit<CacheRecord, 'created' | 'lastUsed'>, now = Date.now()): string[] {
    return this.withTransaction(() => {
      const orphaned = this.releaseOwner(cacheOwner(rec.key));
      this.#sql(`INSERT INTO cache_records (${CACHE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (key) DO UPDATE SET refs = excluded.refs, vertex = excluded.vertex, digest = excluded.digest,
                  last_used = excluded.last_used, size = excluded.size`)
        .run(rec.key, JSON.stringify(rec.refs), rec.vertex, rec.digest, now, now, rec.size);
      for (const id of rec.refs) this.addOwner(id, cacheOwner(rec.key));
      return orphaned.filter((id) => !rec.refs.includes(id));
    });
  }

  /**
   * Marks a record used now (what LRU pruning goes by). Written with the next write
   * transaction or at close, not in one of its own: a no-op build touches every step's record,
   * and a commit apiece (each an fsync) cost it ~15 ms. A use time is a pruning hint; a
   * killed process loses only its own.
   */
  touchCacheRecord(key: string, now = Date.now()): void {
    this.#touched.set(key, Math.max(now, this.#touched.get(key) ?? 0));
  }

  #writeTouches(): void {
    if (this.#touched.size === 0) return;
    const update = this.#sql('UPDATE cache_records SET last_used = MAX(last_used, ?) WHERE key = ?');
    for (const [key, at] of this.#touched) update.run(at, key);
    this.#touched.clear();
  }

  /** Deletes a record; returns the refs it leaves with no owner. */
  deleteCacheRecord(key: string): string[] {
    return this.withTransaction(() => {
      this.#sql('DELETE FROM cache_records WHERE key = ?').run(key);
      return this.releaseOwner(cacheOwner(key));
    });
  }

  // Named images.

  /** Points a name at a manifest, moving the name's hold to the refs the image uses. */
  setImage(name: string, digest: string, refIds: readonly string[] = [], now = Date.now()): void {
    this.withTransaction(() => {
      this.#sql('INSERT INTO images (name, digest, created, updated) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, updated = excluded.updated')
        .run(name, digest, now, now);
      this.#sql('DELETE FROM ref_owners WHERE owner = ?').run(imageOwner(name));
      for (const id of refIds) this.addOwner(id, imageOwner(name));
    });
  }

  image(name: string): ImageRecord | undefined {
    return this.#sql('SELECT name, digest, created, updated FROM images WHERE name = ?').get(name) as ImageRecord | undefined;
  }

  images(): ImageRecord[] {
    return this.#sql('SELECT name, digest, created, updated FROM images ORDER BY name').all() as ImageRecord[];
  }

  /** Removes a name; returns the refs it leaves with no owner. */
  deleteImage(name: string): string[] {
    return this.withTransaction(() => {
      this.#sql('DELETE FROM images WHERE name = ?').run(name);
      return this.releaseOwner(imageOwner(name));
    });
  }

  close(): void {
    if (this.#touched.size > 0 && this.db.open) {
      try {
        this.withTransaction(() => undefined);
      } catch {
        // use times are hints: a database too busy to take them loses them, not the build
      }
    }
    // The last connection's close checkpoints the log, syncing it first.
    this.db.close();
  }
}
