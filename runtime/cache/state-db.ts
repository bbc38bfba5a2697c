import { rootPaths } from './root.js';
import { StateDbCore } from './state-db-core.js';
import type { StateDbOptions } from './state-db-core.js';

export type { StateDbOptions } from './state-db-core.js';

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
 * The connection, transactions and durability are StateDbCore's (state-db-core.ts).
 */
export class StateDb extends StateDbCore {
  /** Opens (creating) the database of a state root and brings its schema up to date. */
  static open(root: string, opts: StateDbOptions = {}): StateDb {
    return StateDb.openFile(rootPaths(root).db, opts);
  }

  /** Opens a database file directly (`:memory:` for tests). */
  static openFile(path: string, opts: StateDbOptions = {}): StateDb {
    const state = new StateDb(StateDbCore.connect(path, opts), opts.durableAt ?? 'commit');
    state.migrate();
    return state;
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
        const keys = this.sql('SELECT key FROM cache_records WHERE created >= ?').pluck().all(row.started) as string[];
        for (const key of keys) this.deleteCacheRecord(key);
        dropped = keys.length;
      }
      this.sql('DELETE FROM unsynced WHERE boot = ? AND pid = ?').run(row.boot, row.pid);
      return dropped;
    });
  }

  // Refs and owners.

  /** Records a ref (updating its size when one is given) and adds owners to it. */
  addRef(ref: { readonly id: string; readonly kind: RefKind; readonly size?: number }, owners: readonly string[] = [], now = Date.now()): void {
    this.withTransaction(() => {
      this.sql('INSERT INTO refs (id, kind, size, created) VALUES (?, ?, COALESCE(?, 0), ?) ON CONFLICT (id) DO UPDATE SET size = COALESCE(?, size)')
        .run(ref.id, ref.kind, ref.size ?? null, now, ref.size ?? null);
      for (const owner of owners) this.addOwner(ref.id, owner);
    });
  }

  /** Makes `owner` hold a recorded ref. */
  addOwner(refId: string, owner: string): void {
    this.sql('INSERT OR IGNORE INTO ref_owners (ref, owner) VALUES (?, ?)').run(refId, owner);
  }

  /** Drops every hold of `owner`; returns the refs left with no owner (garbage for prune). */
  releaseOwner(owner: string): string[] {
    return this.withTransaction(() => {
      const held = this.sql('SELECT ref FROM ref_owners WHERE owner = ?').pluck().all(owner) as string[];
      this.sql('DELETE FROM ref_owners WHERE owner = ?').run(owner);
      return held.filter((id) => this.ownersOf(id).length === 0);
    });
  }

  ref(id: string): RefRecord | undefined {
    return this.sql('SELECT id, kind, size, created FROM refs WHERE id = ?').get(id) as RefRecord | undefined;
  }

  ownersOf(refId: string): string[] {
    return this.sql('SELECT owner FROM ref_owners WHERE ref = ? ORDER BY owner').pluck().all(refId) as string[];
  }

  /** Every recorded ref, oldest first. */
  refs(): RefRecord[] {
    return this.sql('SELECT id, kind, size, created FROM refs ORDER BY created').all() as RefRecord[];
  }

  /** Refs nobody owns: what a prune removes first. */
  orphanRefs(): RefRecord[] {
    return this.sql('SELECT id, kind, size, created FROM refs r WHERE NOT EXISTS (SELECT 1 FROM ref_owners o WHERE o.ref = r.id) ORDER BY created')
      .all() as RefRecord[];
  }

  /**
   * Forgets a ref whose data is gone, with its owners and the holds it had on
   * the refs beneath it; returns those that are now orphans.
   */
  deleteRef(id: string): string[] {
    return this.withTransaction(() => {
      const orphaned = this.releaseOwner(refOwner(id));
      this.sql('DELETE FROM refs WHERE id = ?').run(id);
      return orphaned.filter((r) => r !== id);
    });
  }

  /** Bytes of every recorded ref. */
  totalSize(): number {
    return (this.sql('SELECT COALESCE(SUM(size), 0) FROM refs').pluck().get() as number) ?? 0;
  }

  // Cache records.

  cacheRecord(key: string): CacheRecord | undefined {
    const row = this.sql(`SELECT ${CACHE_COLUMNS} FROM cache_records WHERE key = ?`).get(key) as CacheRow | undefined;
    const touched = this.touchedAt(key);
    return row && cacheRecordOf(touched === undefined ? row : { ...row, last_used: Math.max(row.last_used, touched) });
  }

  /** Every cache record, least recently used first. */
  cacheRecords(): CacheRecord[] {
    if (this.hasTouches) this.withTransaction(() => undefined);
    return (this.sql(`SELECT ${CACHE_COLUMNS} FROM cache_records ORDER BY last_used, created, key`).all() as CacheRow[]).map(cacheRecordOf);
  }

  /**
   * Records a vertex's results under a key, replacing what the key held; the
   * record owns its refs, which must be recorded already. Returns the refs the
   * replaced record leaves with no owner.
   */
  putCacheRecord(rec: Omit<CacheRecord, 'created' | 'lastUsed'>, now = Date.now()): string[] {
    return this.withTransaction(() => {
      const orphaned = this.releaseOwner(cacheOwner(rec.key));
      this.sql(`INSERT INTO cache_records (${CACHE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT (key) DO UPDATE SET refs = excluded.refs, vertex = excluded.vertex, digest = excluded.digest,
                  last_used = excluded.last_used, size = excluded.size`)
        .run(rec.key, JSON.stringify(rec.refs), rec.vertex, rec.digest, now, now, rec.size);
      for (const id of rec.refs) this.addOwner(id, cacheOwner(rec.key));
      return orphaned.filter((id) => !rec.refs.includes(id));
    });
  }

  /** Deletes a record; returns the refs it leaves with no owner. */
  deleteCacheRecord(key: string): string[] {
    return this.withTransaction(() => {
      this.sql('DELETE FROM cache_records WHERE key = ?').run(key);
      return this.releaseOwner(cacheOwner(key));
    });
  }

  // Named images.

  /** Points a name at a manifest, moving the name's hold to the refs the image uses. */
  setImage(name: string, digest: string, refIds: readonly string[] = [], now = Date.now()): void {
    this.withTransaction(() => {
      this.sql('INSERT INTO images (name, digest, created, updated) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, updated = excluded.updated')
        .run(name, digest, now, now);
      this.sql('DELETE FROM ref_owners WHERE owner = ?').run(imageOwner(name));
      for (const id of refIds) this.addOwner(id, imageOwner(name));
    });
  }

  image(name: string): ImageRecord | undefined {
    return this.sql('SELECT name, digest, created, updated FROM images WHERE name = ?').get(name) as ImageRecord | undefined;
  }

  images(): ImageRecord[] {
    return this.sql('SELECT name, digest, created, updated FROM images ORDER BY name').all() as ImageRecord[];
  }

  /** Removes a name; returns the refs it leaves with no owner. */
  deleteImage(name: string): string[] {
    return this.withTransaction(() => {
      this.sql('DELETE FROM images WHERE name = ?').run(name);
      return this.releaseOwner(imageOwner(name));
    });
  }


}
