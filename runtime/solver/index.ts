// The solver engine: loads LLB, schedules vertices, caches results by key.
export { cacheKeyOf } from './cache-key.js';
export { loadDefinition } from './load.js';
export type { LoadedGraph } from './load.js';
export { abortError, Semaphore } from './semaphore.js';
export { SolveError, Solver } from './solver.js';
export type { SolveOptions, SolverOptions } from './solver.js';
export type { CacheStore, ExecContext, Operation, OperationResolver, ProgressEvent, Ref, Vertex } from './types.js';
