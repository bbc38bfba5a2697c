import type { Digest } from './digest.js';
import { digestOf } from './digest.js';
import { LlbValidationError, ProtoDecodeError } from './errors.js';
import type { Definition as PbDefinition, Op, OpMetadata, Source } from './generated/ops.js';
import { llbSchema } from './generated/ops.js';
import { decodeMessage, encodeMessage } from './wire/codec.js';
import { validateOps } from './validate.js';

/** One op of a Definition, decoded, with the digest of its exact bytes. */
export interface DefinitionOp {
  readonly index: number;
  readonly digest: Digest;
  readonly bytes: Uint8Array;
  readonly op: Op;
  /** `{}` when the Definition carries no metadata for this op, as `dump-llb` shows it. */
  readonly metadata: OpMetadata;
}

/**
 * A marshaled LLB graph: BuildKit's `pb.Definition`.
 *
 * Ops are kept as the exact bytes they arrived in, so digests never change
 * through kiln; `ops()` decodes them on demand.
 *
 * @example
 * const def = Definition.unmarshal(bytes);
 * def.validate();
 * for (const { digest, op } of def.ops()) console.log(digest, Object.keys(op));
 */
export class Definition {
  readonly def: readonly Uint8Array[];
  readonly metadata: { readonly [digest: string]: OpMetadata };
  readonly source: Source | undefined;
  readonly #raw: PbDefinition;
  #ops: readonly DefinitionOp[] | undefined;

  constructor(def: readonly Uint8Array[], metadata: { readonly [digest: string]: OpMetadata } = {}, source?: Source, raw?: PbDefinition) {
    this.def = Object.freeze([...def]);
    this.metadata = metadata;
    this.source = source;
    this.#raw = raw ?? { def: this.def, metadata, ...(source ? { Source: source } : {}) };
  }

  /**
   * Decodes a serialized `pb.Definition` and each op in it.
   *
   * @throws ProtoDecodeError for truncated or garbage bytes, naming the byte offset and field.
   */
  static unmarshal(bytes: Uint8Array): Definition {
    const raw = decodeMessage<PbDefinition>(llbSchema, 'Definition', bytes);
    const def = new Definition(raw.def ?? [], raw.metadata ?? {}, raw.Source, raw);
    def.ops();
    return def;
  }

  /** The serialized `pb.Definition`, byte-identical to what it was decoded from when unchanged. */
  marshal(): Uint8Array {
    return encodeMessage(llbSchema, 'Definition', this.#raw);
  }

  /** Every op decoded, in `def` order. */
  ops(): readonly DefinitionOp[] {
    if (this.#ops) return this.#ops;
    this.#ops = this.def.map((bytes, index) => {
      const digest = digestOf(bytes);
      let op: Op;
      try {
        op = decodeMessage<Op>(llbSchema, 'Op', bytes);
      } catch (err) {
        if (err instanceof ProtoDecodeError) {
          throw new ProtoDecodeError(err.code, `op ${index} (${digest}): ${err.detail}`, err.offset, `Definition.def[${index}] > ${err.path}`);
        }
        throw err;
      }
      return { index, digest, bytes, op, metadata: this.metadata[digest] ?? {} };
    });
    return this.#ops;
  }

  /** The op that produced the result and which of its outputs it is (the terminal op's input). */
  head(): { digest: Digest; index: number } {
    const last = this.ops().at(-1);
    const input = last?.op.inputs?.[0];
    if (!last || !input?.digest) throw new LlbValidationError('no-terminal', 'definition has no terminal op');
    return { digest: input.digest as Digest, index: Number(input.index ?? 0) };
  }

  /**
   * Checks the graph's structure: digests, dangling or out-of-range inputs,
   * cycles, op kinds, the terminal op.
   *
   * @throws LlbValidationError naming the op and what is wrong.
   */
  validate(): void {
    validateOps(this.ops());
  }
}
