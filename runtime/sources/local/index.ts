// Public surface of runtime/sources/local/: BuildKit's `local://` source for a context on this
// machine: the client's filtered walk, the daemon's copy into a snapshot, content checksums.
export { checksumContext, checksumPaths, digestFileContent } from './content-hash.js';
export type { ChecksumOptions, ChecksumPathsOptions } from './content-hash.js';
export { followLinks } from './follow-links.js';
export { LocalSourceError } from './local-error.js';
export { LOCAL_ATTR, localWalkOptions } from './source-options.js';
export { StatCache } from './stat-cache.js';
export { syncContext } from './sync-context.js';
export type { SyncContextOptions, SyncResult } from './sync-context.js';
export { listContext, walkContext } from './walk-context.js';
export type { ContextEntry, ContextEntryType, WalkContextOptions } from './walk-context.js';
