import type { DbCacheStore, StateDb } from '../../runtime/cache/index.js';
import type { Snapshotter } from '../../runtime/snapshot/index.js';

/** The cache of snapshot results on a root: records validated against the snapshots, parents held by children. */
export async function snapshotCache(db: StateDb, snapshotter: Snapshotter): Promise<DbCacheStore> {
  const { DbCacheStore: Store } = await import('../../runtime/cache/index.js');
  return new Store(db, {
    validate: async (id) => snapshotter.layers(id).then(() => true, () => false),
    parentsOf: async (id) => (await snapshotter.parents?.(id)) ?? [],
  });
}
