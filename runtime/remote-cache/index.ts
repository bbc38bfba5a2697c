// Build cache shared through directories and registries (--cache-to / --cache-from).
export { exportCache, importCache } from './cache-io.js';
export type { CacheExportOptions, CacheLocation } from './cache-io.js';
export { CACHE_ARTIFACT_TYPE, CACHE_CONFIG_TYPE, INLINE_CACHE_FIELD, parseCacheConfig } from './cache-manifest.js';
export type { CacheConfig, CacheLayer, CacheRecord } from './cache-manifest.js';
export { LazySnapshotter } from './lazy-snapshotter.js';
export { LayeredCacheStore, REMOTE_REF } from './remote-cache.js';
export type { CacheSource, LazyResult } from './remote-cache.js';
