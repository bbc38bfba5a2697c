import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { digestOf } from '../../../compiler/digest.js';
import { llbSchema } from '../../../compiler/generated/ops.js';
import { decodeMessage, encodeMessage } from '../../../compiler/wire/codec.js';
import type { FieldSchema } from '../../../compiler/wire/proto-schema.js';
import { corpusDir } from '../../support/corpus.js';

/**
 * Op → digest fixtures from denzp/rust-buildkit (prost encoding): ops are
 * given as JSON with proto field names, enums by name and bytes as text.
 */
interface RustCase {
  readonly source: string;
  readonly description: string;
  readonly op: { [key: string]: unknown };
  readonly expectedDigest: string;
  readonly expectedHex: string;
  readonly verified?: boolean;
}

const fixture = JSON.parse(readFileSync(join(corpusDir('llb'), 'rust-buildkit-op-digests.json'), 'utf8')) as { cases: RustCase[] };
const utf8 = new TextEncoder();

/** Turns the fixture's JSON shape into the codec's value shape, walking the schema. */
function fromJson(messageName: string, json: unknown, path: string): { [key: string]: unknown } {
  const msg = llbSchema.messages[messageName];
  if (!msg) throw new Error(`${path}: unknown message ${messageName}`);
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new Error(`${path}: expected an object for ${messageName}`);
  const out: { [key: string]: unknown } = {};
  for (const [key, value] of Object.entries(json)) {
    const field = msg.fields.find((f) => f.name === key);
    if (!field) throw new Error(`${path}.${key}: no such field in ${messageName}`);
    if (field.kind === 'map') {
      const map: { [key: string]: unknown } = {};
      for (const [k, v] of Object.entries(value as object)) map[k] = fieldValue({ ...field, kind: mapValueKind(field.type) }, v, `${path}.${key}[${k}]`);
      out[key] = map;
    } else if (field.repeated) {
      if (!Array.isArray(value)) throw new Error(`${path}.${key}: expected an array`);
      out[key] = value.map((v, i) => fieldValue(field, v, `${path}.${key}[${i}]`));
    } else out[key] = fieldValue(field, value, `${path}.${key}`);
  }
  return out;
}

function mapValueKind(type: string): FieldSchema['kind'] {
  if (llbSchema.messages[type]) return 'message';
  if (llbSchema.enums[type]) return 'enum';
  return 'scalar';
}

function fieldValue(field: FieldSchema, value: unknown, path: string): unknown {
  if (field.kind === 'message') return fromJson(field.type, value, path);
  if (field.kind === 'enum') {
    const values = llbSchema.enums[field.type];
    if (!values) throw new Error(`${path}: unknown enum ${field.type}`);
    if (typeof value === 'number') return value;
    const n = values[value as string];
    if (n === undefined) throw new Error(`${path}: ${String(value)} is not a value of ${field.type}`);
    return n;
  }
  if (field.type === 'bytes') return typeof value === 'string' ? utf8.encode(value) : new Uint8Array(value as number[]);
  return value;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function hasUnknown(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return false;
  if (Object.hasOwn(v, '$unknown')) return true;
  return Object.values(v).some(hasUnknown);
}

describe('rust-buildkit Op digest fixtures', () => {
  it('has cases, all verified', () => {
    expect(fixture.cases.length).toBeGreaterThanOrEqual(20);
    for (const c of fixture.cases) expect(c.verified).toBe(true);
  });

  describe.each(fixture.cases.map((c, i) => [`${i}: ${c.description}`, c] as const))('%s', (_name, c) => {
    const op = fromJson('Op', c.op, 'Op');

    it('encodes to the expected bytes and digest', () => {
      const bytes = encodeMessage(llbSchema, 'Op', op);
      expect(hex(bytes)).toBe(c.expectedHex);
      expect(digestOf(bytes)).toBe(c.expectedDigest);
    });

    it('decodes the expected bytes and re-encodes them identically', () => {
      const expected = new Uint8Array(Buffer.from(c.expectedHex, 'hex'));
      const decoded = decodeMessage<object>(llbSchema, 'Op', expected);
      expect(hex(encodeMessage(llbSchema, 'Op', decoded))).toBe(c.expectedHex);
      // Nothing in these fixtures is unknown to kiln's schema.
      expect(hasUnknown(decoded)).toBe(false);
    });
  });
});
