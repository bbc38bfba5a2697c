// Public surface of runtime/: the solver and what it drives (cache, snapshots,
// runc executor, sources, registry client, exporters, progress). It reads LLB
// through compiler/ and never imports a frontend.
export type { Gateway } from '../compiler/index.js';
export { OciLayout } from './oci/oci-layout.js';
export type { Descriptor } from './oci/oci-layout.js';
