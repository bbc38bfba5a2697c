// Public surface of runtime/: the solver and what it drives (cache, snapshots,
// runc executor, sources, registry client, exporters, progress). It reads LLB
// through compiler/ and never imports a frontend. The solver arrives with issue 4.
export type { Gateway } from '../compiler/index.js';
