import type { Input, Op } from '../generated/ops.js';
import { Cap } from './caps.js';
import type { ConstraintsOptions } from './constraints.js';
import { marshalConstraints, withCaps } from './constraints.js';
import { scratch } from './state.js';
import type { State } from './state.js';
import type { MarshalContext, MarshaledOp, Output, Vertex } from './vertex.js';
import { finishOp } from './vertex.js';

function checked(o: Output): Output {
  if (o.error) throw o.error;
  return o;
}

/** The MergeOp vertex: its inputs stacked, lowest first. */
export class MergeOp implements Vertex {
  readonly #inputs: readonly Output[];
  readonly #constraints: ConstraintsOptions;

  constructor(inputs: readonly Output[], constraints: ConstraintsOptions) {
    this.#inputs = inputs;
    this.#constraints = constraints;
  }

  inputs(): readonly Output[] {
    return this.#inputs;
  }

  marshal(ctx: MarshalContext): MarshaledOp {
    const { op: base, metadata } = marshalConstraints(ctx.constraints, this.#constraints);
    // One input per layer, even when two layers are the same state, as BuildKit writes it.
    const inputs: Input[] = this.#inputs.map((o) => ctx.input(checked(o)));
    const op: Op = { inputs, merge: { inputs: inputs.map((_, i) => ({ input: i })) }, constraints: base.constraints };
    return finishOp(op, metadata, this.#constraints.sourceLocations);
  }
}

/**
 * Stacks states on top of each other (later ones win). Scratch states are
 * dropped; one state is returned as is, none gives scratch.
 *
 * @example merge([base, local('context')])
 */
export function merge(states: readonly State[], constraints: ConstraintsOptions = {}): State {
  const present = states.filter((s) => s.output() !== undefined);
  if (present.length === 0) return scratch();
  if (present.length === 1) return present[0]!;
  const vertex = new MergeOp(present.map((s) => s.output()!), withCaps(constraints, Cap.mergeOp));
  return present[0]!.withOutput({ vertex, index: 0 });
}

/** The DiffOp vertex: what changed from `lower` to `upper`. */
export class DiffOp implements Vertex {
  readonly #lower: Output | undefined;
  readonly #upper: Output | undefined;
  readonly #constraints: ConstraintsOptions;

  constructor(lower: Output | undefined, upper: Output | undefined, constraints: ConstraintsOptions) {
    this.#lower = lower;
    this.#upper = upper;
    this.#constraints = constraints;
  }

  inputs(): readonly Output[] {
    return [this.#lower, this.#upper].filter((o): o is Output => o !== undefined);
  }

  marshal(ctx: MarshalContext): MarshaledOp {
    const { op: base, metadata } = marshalConstraints(ctx.constraints, this.#constraints);
    const inputs: Input[] = [];
    const lower = this.#lower ? inputs.push(ctx.input(checked(this.#lower))) - 1 : -1;
    const upper = this.#upper ? inputs.push(ctx.input(checked(this.#upper))) - 1 : -1;
    const op: Op = { inputs, diff: { lower: { input: lower }, upper: { input: upper } }, constraints: base.constraints };
    return finishOp(op, metadata, this.#constraints.sourceLocations);
  }
}

/**
 * The changes that turn `lower` into `upper`, as a state of their own.
 *
 * @example diff(base, base.run({ shell: 'apk add git' }).root())
 */
export function diff(lower: State, upper: State, constraints: ConstraintsOptions = {}): State {
  if (lower.output() === undefined) return upper.output() === undefined ? scratch() : upper;
  const vertex = new DiffOp(lower.output(), upper.output(), withCaps(constraints, Cap.diffOp));
  return lower.withOutput({ vertex, index: 0 });
}
