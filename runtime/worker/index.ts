// The worker: runs LLB ops on this machine (snapshots, runc, file actions, sources).
export { Worker } from './worker.js';
export type { WorkerContext } from './worker-context.js';
export type { ImageSource, ResolvedImage } from './image-source.js';
export { LayoutImageSource } from './layout-images.js';
export { chainIds, unpackImage } from './layer-chain.js';
