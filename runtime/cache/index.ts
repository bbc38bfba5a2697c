// The state root: content store, metadata database, cache records, root lock, pruning.
export { DbCacheStore } from './cache-store.js';
export type { DbCacheStoreOptions } from './cache-store.js';
export { ContentStore } from './content-store.js';
export type { BlobInfo, BlobSource, PutOptions } from './content-store.js';
export { lockRoot } from './lock.js';
export type { LockMode, LockOptions, RootLock } from './lock.js';
export { diskUsage, prune } from './prune.js';
export type { PruneOptions, PrunePolicy, PruneResult, UsageRecord } from './prune.js';
export { defaultRoot, rootPaths } from './root.js';
export { cacheOwner, imageOwner, refOwner, StateDb } from './state-db.js';
export type { CacheRecord, ImageRecord, RefKind, RefRecord, StateDbOptions } from './state-db.js';
