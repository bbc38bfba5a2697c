import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { Definition } from '../../compiler/definition.js';
import { digestOf } from '../../compiler/digest.js';
import { KilnError, LlbValidationError, ProtoDecodeError } from '../../compiler/errors.js';
import type { Op } from '../../compiler/generated/ops.js';
import { llbSchema } from '../../compiler/generated/ops.js';
import { decodeMessage, encodeMessage } from '../../compiler/wire/codec.js';
import type { FieldSchema } from '../../compiler/wire/proto-schema.js';
import { corpusDir } from '../support/corpus.js';

/**
 * Robustness of `Definition.unmarshal` + `validate` against damaged input:
 * every outcome must be a valid graph or a KilnError (ProtoDecodeError or
 * LlbValidationError) — never a RangeError, TypeError or a hang. All
 * randomness is seeded, so a failure reproduces exactly.
 */

const casesDir = corpusDir('dockerfile-to-llb');
const corpus = readdirSync(casesDir)
  .filter((d) => existsSync(join(casesDir, d, 'llb.pb')))
  .sort()
  .map((name) => {
    const bytes = new Uint8Array(readFileSync(join(casesDir, name, 'llb.pb')));
    const def = Definition.unmarshal(bytes);
    return { name, bytes, ops: [...def.def], metadata: def.metadata };
  });

/** mulberry32: a tiny seeded PRNG, enough for reproducible fuzzing. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

type Outcome = { ok: true } | { ok: false; code: string; kind: 'decode' | 'validate' };

/** Slowest single case allowed: far above the real cost (well under a millisecond). */
const MAX_CASE_MS = 1000;

/**
 * Runs one input through unmarshal → validate, and for inputs that decode,
 * checks that marshaling is idempotent. Throws a descriptive Error for any
 * outcome that is not a KilnError.
 */
function run(bytes: Uint8Array, label: string): Outcome {
  const started = performance.now();
  const outcome = attempt(bytes, label);
  const ms = performance.now() - started;
  if (ms > MAX_CASE_MS) throw new Error(`${label}: took ${ms.toFixed(0)} ms\ninput: ${hex(bytes)}`);
  return outcome;
}

function attempt(bytes: Uint8Array, label: string): Outcome {
  let def: Definition;
  try {
    def = Definition.unmarshal(bytes);
  } catch (err) {
    return failure(err, bytes, label);
  }
  // Whatever decoded must re-encode, valid or not.
  checkRemarshal(def, label, bytes);
  try {
    def.validate();
    return { ok: true };
  } catch (err) {
    return failure(err, bytes, label);
  }
}

function failure(err: unknown, bytes: Uint8Array, label: string): Outcome {
  if (err instanceof ProtoDecodeError) {
    if (!Number.isInteger(err.offset) || err.offset < 0 || err.offset > bytes.length) throw new Error(`${label}: ProtoDecodeError with offset ${err.offset} outside 0..${bytes.length}`);
    return { ok: false, code: err.code, kind: 'decode' };
  }
  if (err instanceof LlbValidationError) return { ok: false, code: err.code, kind: 'validate' };
  const what = err instanceof KilnError ? `unexpected KilnError ${err.name}(${err.code})` : String((err as Error)?.stack ?? err);
  throw new Error(`${label}: ${what}\ninput: ${hex(bytes)}`);
}

/** Whatever decoded re-encodes, and re-encoding is stable: marshal(unmarshal(marshal(x))) = marshal(x). */
function checkRemarshal(def: Definition, label: string, input: Uint8Array): void {
  let once: Uint8Array;
  let twice: Uint8Array;
  try {
    once = def.marshal();
    twice = Definition.unmarshal(once).marshal();
  } catch (err) {
    throw new Error(`${label}: re-marshaling a decoded Definition failed: ${String((err as Error)?.stack ?? err)}\ninput: ${hex(input)}`);
  }
  if (hex(once) !== hex(twice)) throw new Error(`${label}: marshal is not idempotent\ninput: ${hex(input)}`);
}

// Mutations of whole files.

function flip(r: () => number, src: Uint8Array): Uint8Array {
  const out = src.slice();
  const n = 1 + Math.floor(r() * 8);
  for (let i = 0; i < n && out.length; i++) {
    const at = Math.floor(r() * out.length);
    // Half single-bit flips, half whole-byte replacements (0x80/0xff favour long varints and lengths).
    if (r() < 0.5) out[at] = out[at]! ^ (1 << Math.floor(r() * 8));
    else out[at] = [0x00, 0x7f, 0x80, 0xff, Math.floor(r() * 256)][Math.floor(r() * 5)]!;
  }
  return out;
}

function truncate(r: () => number, src: Uint8Array): Uint8Array {
  return src.slice(0, Math.floor(r() * src.length));
}

function insert(r: () => number, src: Uint8Array): Uint8Array {
  const at = Math.floor(r() * (src.length + 1));
  const junk = randomBytes(r, 1 + Math.floor(r() * 16));
  return Buffer.concat([src.subarray(0, at), junk, src.subarray(at)]);
}

function remove(r: () => number, src: Uint8Array): Uint8Array {
  const at = Math.floor(r() * src.length);
  const n = 1 + Math.floor(r() * 16);
  return Buffer.concat([src.subarray(0, at), src.subarray(Math.min(src.length, at + n))]);
}

function randomBytes(r: () => number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/** Random bytes that start like a Definition: a `def` field with a plausible length. */
function garbage(r: () => number): Uint8Array {
  const body = randomBytes(r, Math.floor(r() * 512));
  if (r() < 0.5 || body.length < 2) return body;
  body[0] = 0x0a;
  body[1] = Math.floor(r() * Math.min(body.length, 128));
  return body;
}

/** Replaces a slice of one corpus file with a slice of another. */
function splice(r: () => number, src: Uint8Array, other: Uint8Array): Uint8Array {
  const a = Math.floor(r() * src.length);
  const b = Math.floor(r() * other.length);
  const n = Math.floor(r() * 64);
  return Buffer.concat([src.subarray(0, a), other.subarray(b, b + n), src.subarray(Math.min(src.length, a + Math.floor(r() * 64)))]);
}

const byteMutations = [flip, truncate, insert, remove] as const;

/**
 * Puts `mutated` in place of op `index` of a corpus Definition, then renames
 * the digest in every later op that read it (and so on down the graph), so
 * that validation gets past `dangling-input` to the op's own checks.
 */
function rewrap(c: (typeof corpus)[number], index: number, mutated: Uint8Array): Uint8Array {
  const renamed = new Map<string, string>();
  const def = c.ops.map((bytes, j) => {
    let next = j === index ? mutated : bytes;
    if (j !== index && renamed.size) {
      const op = decodeMessage<Op>(llbSchema, 'Op', bytes);
      if (op.inputs?.some((i) => renamed.has(i.digest ?? ''))) {
        next = encodeMessage(llbSchema, 'Op', { ...op, inputs: op.inputs.map((i) => ({ ...i, digest: renamed.get(i.digest ?? '') ?? i.digest })) });
      }
    }
    if (next !== bytes) renamed.set(digestOf(bytes), digestOf(next));
    return next;
  });
  return encodeMessage(llbSchema, 'Definition', { def, metadata: c.metadata });
}

describe('Definition.unmarshal + validate on damaged corpus files', () => {
  it('has a corpus to damage', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(10);
    for (const c of corpus) expect(run(c.bytes, c.name)).toEqual({ ok: true });
  });

  it('gives a valid graph or a KilnError for 10,000 seeded mutations, never another error or a hang', () => {
    const r = prng(42);
    const outcomes = new Map<string, number>();
    const total = 10_000;
    for (let i = 0; i < total; i++) {
      const c = corpus[Math.floor(r() * corpus.length)]!;
      const strategy = Math.floor(r() * 8);
      let bytes: Uint8Array;
      let label: string;
      if (strategy < 4) {
        bytes = byteMutations[strategy]!(r, c.bytes);
        label = `case ${i} (${c.name}, ${byteMutations[strategy]!.name})`;
      } else if (strategy === 4) {
        bytes = garbage(r);
        label = `case ${i} (garbage)`;
      } else if (strategy === 5) {
        bytes = splice(r, c.bytes, corpus[Math.floor(r() * corpus.length)]!.bytes);
        label = `case ${i} (${c.name}, splice)`;
      } else {
        // Damage a single op's bytes and put it back into an otherwise valid Definition.
        const index = Math.floor(r() * c.ops.length);
        const mutate = byteMutations[Math.floor(r() * byteMutations.length)]!;
        bytes = rewrap(c, index, mutate(r, c.ops[index]!));
        label = `case ${i} (${c.name}, op ${index}, ${mutate.name})`;
      }
      const o = run(bytes, label);
      const key = o.ok ? 'ok' : `${o.kind}:${o.code}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    expect([...outcomes.values()].reduce((a, b) => a + b, 0)).toBe(total);
    // The mix must exercise both failure families and some survivors.
    expect([...outcomes.keys()].some((k) => k.startsWith('decode:'))).toBe(true);
    expect([...outcomes.keys()].some((k) => k.startsWith('validate:'))).toBe(true);
    expect(outcomes.get('ok') ?? 0).toBeGreaterThan(0);
  });

  it('is deterministic: the same seed gives the same outcomes', () => {
    const sample = (seed: number) => {
      const r = prng(seed);
      const seen: string[] = [];
      for (let i = 0; i < 200; i++) {
        const c = corpus[Math.floor(r() * corpus.length)]!;
        const o = run(flip(r, c.bytes), `seed ${seed} case ${i}`);
        seen.push(o.ok ? 'ok' : o.code);
      }
      return seen;
    };
    expect(sample(7)).toEqual(sample(7));
  });

  it('truncating a corpus file at every byte offset gives a clean error or a valid graph', () => {
    const c = corpus.reduce((a, b) => (b.bytes.length > a.bytes.length ? b : a));
    const codes = new Set<string>();
    for (let n = 0; n <= c.bytes.length; n++) {
      // subarray: a view with the whole file behind it, so reads past `n` would be a bug.
      const o = run(c.bytes.subarray(0, n), `${c.name} truncated to ${n} bytes`);
      if (n === 0) expect(o).toEqual({ ok: false, code: 'empty', kind: 'validate' });
      if (n === c.bytes.length) expect(o).toEqual({ ok: true });
      codes.add(o.ok ? 'ok' : o.code);
    }
    // Cutting the outer message only loses whole ops or cuts a length-delimited field.
    for (const code of codes) expect(['ok', 'empty', 'truncated', 'no-terminal']).toContain(code);
    expect(codes.has('truncated')).toBe(true);
  });

  it('truncating one op at every byte offset, inside a valid Definition, gives a clean error or a valid graph', () => {
    for (const c of corpus.slice(0, 3)) {
      const index = c.ops.reduce((best, b, i) => (b.length > c.ops[best]!.length ? i : best), 0);
      const op = c.ops[index]!;
      for (let n = 0; n < op.length; n++) run(rewrap(c, index, op.subarray(0, n)), `${c.name} op ${index} truncated to ${n} bytes`);
    }
  });
});

/** Where a numeric or enum field may be set, in a decoded op. */
interface Slot {
  readonly obj: Record<string, unknown>;
  readonly field: FieldSchema;
}

function slotsOf(message: string, obj: Record<string, unknown>, out: Slot[]): Slot[] {
  for (const field of llbSchema.messages[message]!.fields) {
    const v = obj[field.name];
    if (field.kind === 'message' && v !== undefined) {
      for (const x of field.repeated ? (v as Record<string, unknown>[]) : [v as Record<string, unknown>]) slotsOf(field.type, x, out);
    } else if (!field.repeated && (field.kind === 'enum' || field.type === 'int64')) out.push({ obj, field });
  }
  return out;
}

describe('validate on structurally mutated ops (fast-check, seeded)', () => {
  const value = fc.oneof(
    fc.integer({ min: -3, max: 8 }),
    fc.constantFrom(2 ** 31 - 1, -(2 ** 31), 2 ** 32, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  );
  const mutation = fc.oneof(
    fc.record({ kind: fc.constant('set' as const), slot: fc.nat(), value }),
    fc.record({ kind: fc.constant('drop-input' as const), slot: fc.nat() }),
    fc.record({ kind: fc.constant('dup-input' as const), slot: fc.nat() }),
    fc.record({ kind: fc.constant('drop-kind' as const) }),
  );

  it('gives a valid graph or a KilnError for 2,000 field-level mutations', () => {
    const outcomes = new Map<string, number>();
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 3 }), (fileIndex, opIndex, mutations) => {
        const c = corpus[fileIndex % corpus.length]!;
        const index = opIndex % c.ops.length;
        const op = decodeMessage<Record<string, unknown>>(llbSchema, 'Op', c.ops[index]!);
        for (const m of mutations) {
          const inputs = (op.inputs as unknown[] | undefined) ?? [];
          if (m.kind === 'set') {
            const slots = slotsOf('Op', op, []);
            if (slots.length) {
              const s = slots[m.slot % slots.length]!;
              s.obj[s.field.name] = s.field.kind === 'enum' ? Number(BigInt.asIntN(32, BigInt(m.value))) : m.value;
            }
          } else if (m.kind === 'drop-input' && inputs.length) {
            op.inputs = inputs.filter((_, i) => i !== m.slot % inputs.length);
          } else if (m.kind === 'dup-input' && inputs.length) {
            op.inputs = [...inputs, inputs[m.slot % inputs.length]];
          } else if (m.kind === 'drop-kind') {
            for (const k of ['exec', 'source', 'file', 'build', 'merge', 'diff']) delete op[k];
          }
        }
        const o = run(rewrap(c, index, encodeMessage(llbSchema, 'Op', op)), `${c.name} op ${index} ${JSON.stringify(mutations, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))}`);
        const key = o.ok ? 'ok' : o.code;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        return true;
      }),
      { seed: 42, numRuns: 2000 },
    );
    expect([...outcomes.keys()].length).toBeGreaterThan(3);
  });
});
