// Public surface of runtime/snapshot/: snapshotters (overlay, copy, and the
// factory that picks one) and OCI layer tars of their layers.
export type { ActiveSnapshot, Snapshotter, SnapshotView } from './types.js';
export { OverlaySnapshotter } from './overlay-snapshotter.js';
export type { OverlaySnapshotterOptions } from './overlay-snapshotter.js';
export { CopySnapshotter } from './copy-snapshotter.js';
export { createSnapshotter } from './create-snapshotter.js';
export type { NamedSnapshotter } from './create-snapshotter.js';
export { applyLayerTar, packTar, writeLayerTar } from './layer-diff.js';
export { copyTree } from './copy-tree.js';
export type { LayerTarOptions } from './layer-diff.js';
export { PathEscapeError } from './safe-path.js';
export { freshPathBelow, lookupMerged, NeedsMergedView, upperParents } from './upper-apply.js';
export type { MergedEntry } from './upper-apply.js';
export type { UpperApply } from './upper-apply.js';
