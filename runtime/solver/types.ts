import type { Digest, pb } from '../../compiler/index.js';

/**
 * The solver's contracts, BuildKit-style: small interfaces in one place, the
 * engine (solver.ts) apart from the ops it runs (ops/), so the engine can be
 * tested with synthetic ops and no containers.
 */

/** A result of an op: an immutable snapshot or other artifact, owned by the cache. */
export interface Ref {
  readonly id: string;
}

/** One vertex of a loaded graph: an op, its inputs, its metadata. */
export interface Vertex {
  readonly digest: Digest;
  readonly op: pb.Op;
  readonly inputs: readonly { readonly vertex: Vertex; readonly index: number }[];
  readonly metadata: pb.OpMetadata;
  /** What progress output calls it (`llb.customname`, or a summary of the op). */
  readonly name: string;
}

/** What the engine asks of each op kind. */
export interface Operation {
  /**
   * True when the work happens in a container process rather than in kiln's
   * own process: such ops take a slot of the (larger) process pool, since a
   * container that sleeps or waits on I/O should not hold back kiln's own
   * CPU-bound work, nor the reverse.
   */
  readonly runsProcess?: boolean;
  /**
   * Extra bytes for the cache key beyond the op itself: content checksums of
   * what a source reads (local files, an image's digest). Asked before any input
   * has a result, so it may not depend on them. Undefined when the op digest
   * and input keys say everything.
   */
  contentKey?(signal: AbortSignal): Promise<string | undefined>;
  /** Runs the op on its inputs' results; returns one ref per output. */
  exec(inputs: readonly Ref[], ctx: ExecContext): Promise<readonly Ref[]>;
}

/** What an op gets while it runs. */
export interface ExecContext {
  readonly vertex: Vertex;
  readonly signal: AbortSignal;
  /** Streams a line of the op's output to progress. */
  log(stream: 'stdout' | 'stderr', line: string): void;
}

/** Maps vertices to runnable operations (the worker). */
export interface OperationResolver {
  resolve(v: Vertex): Operation;
}

/** Where finished results are kept, by cache key. */
export interface CacheStore {
  load(key: string): Promise<readonly Ref[] | undefined>;
  save(key: string, refs: readonly Ref[], v: Vertex): Promise<void>;
}

/** A progress event, as BuildKit's solve status stream carries them. */
export type ProgressEvent =
  | { readonly kind: 'started'; readonly vertex: Digest; readonly name: string; readonly time: number }
  | { readonly kind: 'cached'; readonly vertex: Digest; readonly name: string; readonly time: number }
  | { readonly kind: 'done'; readonly vertex: Digest; readonly time: number }
  | { readonly kind: 'error'; readonly vertex: Digest; readonly time: number; readonly message: string }
  | { readonly kind: 'log'; readonly vertex: Digest; readonly time: number; readonly stream: 'stdout' | 'stderr'; readonly line: string };
