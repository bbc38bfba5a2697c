// Public surface of runtime/: the solver and what it drives (cache, snapshots,
// runc executor, file actions, sources, exporters, progress). It reads LLB
// through compiler/ and never imports a frontend.
export type { Gateway } from '../compiler/index.js';
export { OciLayout } from './oci/oci-layout.js';
export type { Descriptor } from './oci/oci-layout.js';
export * as cache from './cache/index.js';
export * as executor from './executor/index.js';
export * as exporters from './exporters/index.js';
export * as fileops from './ops/file/index.js';
export * as progress from './progress/index.js';
export * as snapshot from './snapshot/index.js';
export * as solver from './solver/index.js';
export * as localSource from './sources/local/index.js';
export * as worker from './worker/index.js';
export * as images from './images/index.js';
