import type { Digest } from '../digest.js';
import { digestOf } from '../digest.js';
import { KilnError } from '../errors.js';
import type { Input, Op, OpMetadata } from '../generated/ops.js';
import { llbSchema } from '../generated/ops.js';
import { encodeMessage } from '../wire/codec.js';
import type { ConstraintsOptions, SourceLocation, SourceRange } from './constraints.js';

/** An op marshaled for one set of constraints. */
export interface MarshaledOp {
  readonly digest: Digest;
  readonly bytes: Uint8Array;
  readonly metadata: OpMetadata;
  readonly sourceLocations: readonly SourceLocation[];
}

/**
 * A mistake in building a graph, found when it is marshaled. Builder calls
 * never throw; they record the problem and `marshal()` raises it with the
 * build-file range of the op that made it.
 */
export class LlbBuildError extends KilnError {
  readonly ranges: readonly SourceRange[];
  readonly filename: string | undefined;

  constructor(code: string, message: string, locations: readonly SourceLocation[] = [], options?: { cause?: unknown }) {
    const loc = locations[0];
    const where = loc?.ranges[0] ? `${loc.sourceMap.filename}:${loc.ranges[0].start.line}: ` : '';
    super(code, `${where}${message}`, options);
    this.ranges = loc?.ranges ?? [];
    this.filename = loc?.sourceMap.filename;
  }
}

/** State shared by one `marshal()` call: the constraints and a per-vertex cache. */
export class MarshalContext {
  readonly constraints: ConstraintsOptions;
  readonly #cache = new Map<Vertex, MarshaledOp>();

  constructor(constraints: ConstraintsOptions) {
    this.constraints = constraints;
  }

  /** Marshals a vertex once per context (vertices are immutable, so identity is enough). */
  marshal(v: Vertex): MarshaledOp {
    let hit = this.#cache.get(v);
    if (!hit) {
      hit = v.marshal(this);
      this.#cache.set(v, hit);
    }
    return hit;
  }

  /** The `pb.Input` naming an output. */
  input(o: Output): Input {
    return { digest: this.marshal(o.vertex).digest, index: o.index };
  }
}

/** A node of the graph being built: one LLB op. */
export interface Vertex {
  /** The outputs this op reads, in the order they become `Op.inputs`. */
  inputs(): readonly Output[];
  marshal(ctx: MarshalContext): MarshaledOp;
}

/** One output of a vertex (ExecOp has one per writable mount). */
export interface Output {
  readonly vertex: Vertex;
  readonly index: number;
  /** Set when this output can never be used as an input (e.g. a tmpfs mount). */
  readonly error?: LlbBuildError;
}

/** Serializes an op with Go's deterministic encoding and digests it. */
export function finishOp(op: Op, metadata: OpMetadata, sourceLocations: readonly SourceLocation[] = []): MarshaledOp {
  const bytes = encodeMessage(llbSchema, 'Op', op);
  return { digest: digestOf(bytes), bytes, metadata, sourceLocations };
}

/** Appends an input to a list unless an equal one is there; returns its index. */
export function addInput(inputs: Input[], input: Input): number {
  const at = inputs.findIndex((i) => i.digest === input.digest && Number(i.index ?? 0) === Number(input.index ?? 0));
  if (at >= 0) return at;
  inputs.push(input);
  return inputs.length - 1;
}
