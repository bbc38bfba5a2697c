import { abortError } from '../solver/index.js';
import type { CacheRecord, RefKind, StateDb } from './state-db.js';

/** What to keep. With neither field set, every cache record not pinned by an image goes. */
export interface PrunePolicy {
  /** Remove records until the refs take at most this many bytes (BuildKit's keep-storage). */
  readonly keepBytes?: number;
  /** Remove only records last used longer ago than this (BuildKit's keep-duration). */
  readonly olderThanMs?: number;
}

/** Options of {@link prune}. */
export interface PruneOptions extends PrunePolicy {
  /**
   * Deletes a ref's data (a snapshot, a blob). Called before the ref's row is
   * deleted, so it may be called again for the same ref after a crash: make it idempotent.
   */
  readonly removeRef: (id: string, kind: RefKind) => Promise<void>;
  readonly now?: number;
  readonly signal?: AbortSignal;
}

/** What a prune freed. */
export interface PruneResult {
  /** Keys of the deleted cache records, least recently used first. */
  readonly records: readonly string[];
  /** Ids of the removed refs. */
  readonly refs: readonly string[];
  readonly bytes: number;
}

/**
 * Garbage-collects a state root: removes refs nobody owns, then deletes cache
 * records least recently used first, by policy, removing the refs each leaves
 * without an owner. Records holding a ref of a named image are kept: deleting
 * them would free nothing.
 *
 * Run it under the root's exclusive lock ({@link lockRoot}): a build in
 * another process could otherwise load a record as its refs are removed.
 * The database changes before the data does (record, then data, then ref row),
 * so a prune killed midway leaves at worst orphan refs for the next one.
 */
export async function prune(db: StateDb, opts: PruneOptions): Promise<PruneResult> {
  const now = opts.now ?? Date.now();
  const refs: string[] = [];
  const records: string[] = [];
  let bytes = 0;

  const free = async (ids: readonly string[]) => {
    const queue = [...ids];
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      if (opts.signal?.aborted) throw abortError(opts.signal);
      const ref = db.ref(id);
      if (!ref || db.ownersOf(id).length > 0) continue;
      await opts.removeRef(id, ref.kind);
      queue.push(...db.deleteRef(id));
      refs.push(id);
      bytes += ref.size;
    }
  };

  await free(db.orphanRefs().map((r) => r.id));
  let total = db.totalSize();
  for (const rec of db.cacheRecords()) {
    if (opts.keepBytes !== undefined && total <= opts.keepBytes) break;
    // Records come least recently used first: once one is too young, all the rest are.
    if (opts.olderThanMs !== undefined && now - rec.lastUsed <= opts.olderThanMs) break;
    if (pinned(db, rec)) continue;
    const before = bytes;
    await free(db.deleteCacheRecord(rec.key));
    records.push(rec.key);
    total -= bytes - before;
  }
  return { records, refs, bytes };
}

/** One line of `kiln du`. */
export interface UsageRecord extends CacheRecord {
  /** Held by a named image: a prune keeps it. */
  readonly pinned: boolean;
}

/** What the state root's refs take, and the cache records that hold them (least recently used first). */
export function diskUsage(db: StateDb): { readonly total: number; readonly records: readonly UsageRecord[] } {
  return { total: db.totalSize(), records: db.cacheRecords().map((r) => ({ ...r, pinned: pinned(db, r) })) };
}

function pinned(db: StateDb, rec: CacheRecord): boolean {
  return rec.refs.some((id) => db.ownersOf(id).some((o) => o.startsWith('image:')));
}
