import type { CacheStore, Ref, Vertex } from '../solver/index.js';
import { refOwner } from './state-db.js';
import type { RefKind, StateDb } from './state-db.js';

/** Options of {@link DbCacheStore}. */
export interface DbCacheStoreOptions {
  /**
   * Whether a ref's data still exists (its snapshot was not removed behind the
   * database's back). A record with a ref that fails is dropped on load: a miss, not a broken build.
   */
  readonly validate?: (refId: string) => boolean | Promise<boolean>;
  /** A ref's size in bytes, recorded on save for `kiln du` and pruning by size. */
  readonly sizeOf?: (refId: string) => number | Promise<number>;
  /** The snapshots a ref's layers stack on: recorded as held by it, so a prune never removes them first. */
  readonly parentsOf?: (refId: string) => Promise<readonly string[]>;
  /** What the solver's refs are; snapshots unless the store keeps something else. */
  readonly kind?: RefKind;
  readonly now?: () => number;
}

/**
 * The solver's cache, kept in the state database: a cache key maps to the ref
 * ids of the vertex's outputs, and the record owns those refs until it is pruned.
 */
export class DbCacheStore implements CacheStore {
  readonly #db: StateDb;
  readonly #opts: DbCacheStoreOptions;

  constructor(db: StateDb, opts: DbCacheStoreOptions = {}) {
    this.#db = db;
    this.#opts = opts;
  }

  /** The refs saved under a key, marking the record used; undefined on a miss or when a ref has vanished. */
  async load(key: string): Promise<readonly Ref[] | undefined> {
    const rec = this.#db.cacheRecord(key);
    if (!rec) return undefined;
    const gone: string[] = [];
    for (const id of rec.refs) {
      if (!this.#db.ref(id) || (this.#opts.validate && !(await this.#opts.validate(id)))) gone.push(id);
    }
    if (gone.length > 0) {
      this.#db.withTransaction(() => {
        this.#db.deleteCacheRecord(key);
        for (const id of gone) this.#db.deleteRef(id);
      });
      return undefined;
    }
    this.#db.touchCacheRecord(key, this.#now());
    return rec.refs.map((id) => ({ id }));
  }

  /** Records a vertex's results under a key (replacing an older record of the key). */
  async save(key: string, refs: readonly Ref[], v: Vertex): Promise<void> {
    const sizeOf = this.#opts.sizeOf;
    const sizes = sizeOf ? await Promise.all(refs.map(async (r) => sizeOf(r.id))) : refs.map(() => undefined);
    const now = this.#now();
    const kind = this.#opts.kind ?? 'snapshot';
    const parentsOf = this.#opts.parentsOf;
    const parents = parentsOf ? await Promise.all(refs.map(async (r) => parentsOf(r.id))) : refs.map(() => []);
    this.#db.withTransaction(() => {
      refs.forEach((r, i) => {
        this.#db.addRef({ id: r.id, kind, size: sizes[i] }, [], now);
        // A snapshot's layers stack on its parents': they live as long as it does.
        for (const p of parents[i]!) this.#db.addRef({ id: p, kind }, [refOwner(r.id)], now);
      });
      const size = refs.reduce((sum, r) => sum + (this.#db.ref(r.id)?.size ?? 0), 0);
      this.#db.putCacheRecord({ key, refs: refs.map((r) => r.id), vertex: v.name, digest: v.digest, size }, now);
    });
  }

  #now(): number {
    return this.#opts.now?.() ?? Date.now();
  }
}
