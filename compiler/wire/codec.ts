import type { FieldSchema, Int64, IndexedMessage, ProtoSchema } from './proto-schema.js';
import { indexedMessage, isPackable, WireType, wireTypeOf } from './proto-schema.js';
import { KilnError } from '../errors.js';
import { ProtoReader } from './proto-reader.js';
import { ProtoWriter } from './proto-writer.js';

type Obj = { [key: string]: unknown };

const MAX_DEPTH = 100;

/**
 * Decoded maps remember the order their entries arrived in, under this
 * non-enumerable key, so that decode → encode gives the same bytes even for
 * maps Go wrote unsorted (BuildKit marshals `Definition.metadata` without
 * deterministic mode). Maps built in kiln have no order and are sorted.
 */
export const MAP_ORDER: unique symbol = Symbol('kiln.mapOrder');
const utf8 = new TextEncoder();

/**
 * Encodes a message exactly as Go's deterministic protobuf marshaller does.
 *
 * - plain fields in field-number order, then the set oneof member (Go's order);
 * - proto3 zero values omitted, but a present sub-message is written even when
 *   empty and a set oneof scalar is written even when zero;
 * - map entries sorted by key, key and value always written;
 * - unknown fields kept from decoding are appended last.
 */
export function encodeMessage(schema: ProtoSchema, name: string, value: object): Uint8Array {
  const w = new ProtoWriter();
  writeMessage(w, schema, indexedMessage(schema, name), value as Obj);
  return w.finish();
}

function writeMessage(w: ProtoWriter, schema: ProtoSchema, msg: IndexedMessage, value: Obj): void {
  for (const field of msg.writeOrder) {
    const v = value[field.name];
    if (v === undefined || v === null) continue;
    if (field.kind === 'map') writeMap(w, schema, field, v as Obj);
    else if (field.repeated) writeRepeated(w, schema, field, v as readonly unknown[]);
    else if (field.oneof || !isZero(field, v)) writeOne(w, schema, field, v);
  }
  const unknown = value.$unknown as readonly Uint8Array[] | undefined;
  if (unknown) for (const chunk of unknown) w.raw(chunk);
}

function isZero(field: FieldSchema, v: unknown): boolean {
  if (field.kind === 'message') return false;
  switch (typeof v) {
    case 'number':
    case 'bigint':
      return v == 0;
    case 'boolean':
      return !v;
    case 'string':
      return v.length === 0;
    default:
      return v instanceof Uint8Array && v.length === 0;
  }
}

function writeRepeated(w: ProtoWriter, schema: ProtoSchema, field: FieldSchema, list: readonly unknown[]): void {
  if (list.length === 0) return;
  if (isPackable(field)) {
    const mark = w.tag(field.id, WireType.BYTES).begin();
    for (const v of list) writeScalar(w, field, v);
    w.end(mark);
    return;
  }
  for (const v of list) writeOne(w, schema, field, v);
}

function writeMap(w: ProtoWriter, schema: ProtoSchema, field: FieldSchema, map: Obj): void {
  // Go sorts string keys by their bytes; UTF-16 order differs for astral characters.
  const keys = entryOrder(map);
  const valueField: FieldSchema = { name: 'value', id: 2, kind: kindOfMapValue(schema, field), type: field.type };
  const keyField: FieldSchema = { name: 'key', id: 1, kind: 'scalar', type: field.keyType ?? 'string' };
  for (const key of keys) {
    const mark = w.tag(field.id, WireType.BYTES).begin();
    writeOne(w, schema, keyField, key);
    writeOne(w, schema, valueField, map[key] ?? defaultOf(valueField));
    w.end(mark);
  }
}

function entryOrder(map: Obj): string[] {
  const keys = Object.keys(map);
  const order = (map as { [MAP_ORDER]?: readonly string[] })[MAP_ORDER];
  if (order && order.length === keys.length && order.every((k) => Object.hasOwn(map, k))) return [...order];
  // Go orders keys by their bytes; for ASCII keys that is plain string order, so
  // the byte comparison is only paid for keys with other characters.
  if (keys.every(isAscii)) return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.sort((a, b) => Buffer.compare(utf8.encode(a), utf8.encode(b)));
}

function kindOfMapValue(schema: ProtoSchema, field: FieldSchema): FieldSchema['kind'] {
  if (schema.messages[field.type]) return 'message';
  if (schema.enums[field.type]) return 'enum';
  return 'scalar';
}

function defaultOf(field: FieldSchema): unknown {
  if (field.kind === 'message') return {};
  if (field.kind === 'enum') return 0;
  if (field.type === 'string') return '';
  if (field.type === 'bytes') return new Uint8Array();
  if (field.type === 'bool') return false;
  return 0;
}

function writeOne(w: ProtoWriter, schema: ProtoSchema, field: FieldSchema, v: unknown): void {
  if (field.kind === 'message') {
    const mark = w.tag(field.id, WireType.BYTES).begin();
    writeMessage(w, schema, indexedMessage(schema, field.type), v as Obj);
    w.end(mark);
    return;
  }
  w.tag(field.id, wireTypeOf(field));
  writeScalar(w, field, v);
}

const INT_RANGE: { readonly [type: string]: readonly [bigint, bigint] } = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], uint32: [0n, 2n ** 32n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n],
};

/** Rejects values Go could never have written for the field, instead of encoding garbage. */
function checkInteger(field: FieldSchema, v: unknown): void {
  const range = INT_RANGE[field.kind === 'enum' ? 'int32' : field.type];
  if (!range) return;
  const ok = (typeof v === 'number' && Number.isInteger(v)) || typeof v === 'bigint';
  if (!ok || BigInt(v as number | bigint) < range[0] || BigInt(v as number | bigint) > range[1]) {
    throw new KilnError('bad-value', `field ${field.name}: ${String(v)} is not a valid ${field.kind === 'enum' ? 'enum' : field.type} value`);
  }
}

function writeScalar(w: ProtoWriter, field: FieldSchema, v: unknown): void {
  checkInteger(field, v);
  if (field.kind === 'enum') {
    w.int64(v as number);
    return;
  }
  switch (field.type) {
    case 'string':
      w.string(v as string);
      return;
    case 'bytes':
      w.bytes(v as Uint8Array);
      return;
    case 'bool':
      w.uint32(v ? 1 : 0);
      return;
    case 'uint32':
      w.uint32(Number(v));
      return;
    case 'int32':
    case 'int64':
    case 'uint64':
      w.int64(v as Int64);
      return;
    case 'sint32':
    case 'sint64': {
      const n = BigInt(v as Int64);
      w.int64(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
      return;
    }
    case 'fixed32':
    case 'sfixed32':
      w.fixed32(v as number);
      return;
    case 'fixed64':
    case 'sfixed64':
      w.fixed64(v as Int64);
      return;
    default:
      throw new Error(`unsupported scalar type ${field.type}`);
  }
}

/**
 * Decodes a message, keeping unknown fields for re-encoding.
 *
 * Follows Go's rules: a field seen twice keeps the last scalar and merges
 * messages; a known field with an unexpected wire type is kept as unknown;
 * packed and unpacked repeated scalars are both accepted.
 *
 * @throws ProtoDecodeError naming the byte offset and field path.
 */
export function decodeMessage<T>(schema: ProtoSchema, name: string, bytes: Uint8Array): T {
  const r = new ProtoReader(bytes, 0, bytes.length, 0, name);
  return readMessage(schema, indexedMessage(schema, name), r, {}, 0) as T;
}

function readMessage(schema: ProtoSchema, msg: IndexedMessage, r: ProtoReader, into: Obj, depth: number): Obj {
  if (depth > MAX_DEPTH) r.fail('too-deep', 'messages nested too deeply');
  while (!r.done) {
    const at = r.pos;
    const [id, wt] = r.tag();
    const field = msg.byId.get(id);
    if (!field || !accepts(field, wt)) {
      r.skip(id, wt);
      const unknown = (into.$unknown as Uint8Array[] | undefined) ?? [];
      unknown.push(r.buf.slice(at, r.pos));
      into.$unknown = unknown;
      continue;
    }
    if (field.kind === 'map') readMapEntry(schema, field, r, into, depth);
    else if (field.repeated) {
      const list = (into[field.name] as unknown[] | undefined) ?? [];
      into[field.name] = list;
      if (wt === WireType.BYTES && isPackable(field)) {
        const [s, e] = r.window();
        const sub = r.sub(s, e, field.name);
        while (!sub.done) list.push(readScalar(field, sub));
      } else list.push(readValue(schema, field, r, undefined, depth, list.length));
    } else {
      if (field.oneof) for (const other of msg.oneofSiblings.get(field)!) if (into[other] !== undefined) delete into[other];
      into[field.name] = readValue(schema, field, r, into[field.name], depth);
    }
  }
  return into;
}

function accepts(field: FieldSchema, wt: number): boolean {
  if (field.repeated && wt === WireType.BYTES && isPackable(field)) return true;
  return wt === wireTypeOf(field);
}

function readValue(schema: ProtoSchema, field: FieldSchema, r: ProtoReader, existing: unknown, depth: number, index?: number): unknown {
  if (field.kind !== 'message') return readScalar(field, r);
  const [s, e] = r.window();
  const sub = r.sub(s, e, index === undefined ? field.name : `${field.name}[${index}]`);
  const target = existing && typeof existing === 'object' ? (existing as Obj) : {};
  return readMessage(schema, indexedMessage(schema, field.type), sub, target, depth + 1);
}

function readScalar(field: FieldSchema, r: ProtoReader): unknown {
  if (field.kind === 'enum') return r.int32();
  switch (field.type) {
    case 'string':
      return r.string();
    case 'bytes':
      return r.bytes();
    case 'bool':
      return r.bool();
    case 'uint32':
      return r.uint32();
    case 'int32':
      return r.int32();
    case 'int64':
      return r.int64();
    case 'uint64':
      return r.uint64();
    case 'sint32':
    case 'sint64': {
      const u = BigInt(r.uint64());
      const n = (u >> 1n) ^ -(u & 1n);
      return field.type === 'sint32' ? Number(BigInt.asIntN(32, n)) : Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    case 'fixed32':
      return r.fixed32();
    case 'sfixed32':
      return r.fixed32() | 0;
    case 'fixed64':
    case 'sfixed64': {
      const v = field.type === 'sfixed64' ? BigInt.asIntN(64, r.fixed64()) : r.fixed64();
      return Number.isSafeInteger(Number(v)) ? Number(v) : v;
    }
    default:
      return r.fail('unsupported', `unsupported scalar type ${field.type}`);
  }
}

function readMapEntry(schema: ProtoSchema, field: FieldSchema, r: ProtoReader, into: Obj, depth: number): void {
  const [s, e] = r.window();
  const sub = r.sub(s, e, field.name);
  const valueField: FieldSchema = { name: 'value', id: 2, kind: kindOfMapValue(schema, field), type: field.type };
  const keyField: FieldSchema = { name: 'key', id: 1, kind: 'scalar', type: field.keyType ?? 'string' };
  let key: unknown = defaultOf(keyField);
  let value: unknown;
  while (!sub.done) {
    const [id, wt] = sub.tag();
    if (id === 1 && wt === wireTypeOf(keyField)) key = readScalar(keyField, sub);
    else if (id === 2 && wt === wireTypeOf(valueField)) value = readValue(schema, valueField, sub, value, depth);
    else sub.skip(id, wt);
  }
  // A null prototype keeps keys such as `__proto__` plain data.
  let map = into[field.name] as Obj | undefined;
  if (!map) {
    map = Object.create(null) as Obj;
    Object.defineProperty(map, MAP_ORDER, { value: [], enumerable: false });
    into[field.name] = map;
  }
  const k = String(key);
  const order = (map as { [MAP_ORDER]: string[] })[MAP_ORDER];
  if (!Object.hasOwn(map, k)) order.push(k);
  map[k] = value ?? defaultOf(valueField);
}

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}
