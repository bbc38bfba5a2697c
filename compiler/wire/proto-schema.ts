/**
 * The shape of a protobuf schema as kiln's wire codec walks it.
 *
 * Generated from `grammars/llb/ops.proto` into `compiler/generated/ops.ts`;
 * written by hand only here, once.
 */

/** A 64-bit integer: a number while it is safe, a bigint beyond 2^53. */
export type Int64 = number | bigint;

/** What every decoded message may carry: fields this schema does not know, kept byte for byte. */
export interface ProtoMessage {
  /** Raw (tag + value) chunks of unknown fields, re-emitted after the known ones, as Go does. */
  readonly $unknown?: readonly Uint8Array[];
}

/** One field of a message. */
export interface FieldSchema {
  readonly name: string;
  readonly id: number;
  /** `scalar` types are proto names (`int64`, `string`…); `enum`/`message` name a schema entry. */
  readonly kind: 'scalar' | 'enum' | 'message' | 'map';
  readonly type: string;
  /** Key type of a map field (its value type is `type`). */
  readonly keyType?: string;
  readonly repeated?: boolean;
  /** The oneof group the field belongs to, if any. */
  readonly oneof?: string;
}

/** One message: its fields in declaration order. */
export interface MessageSchema {
  readonly fields: readonly FieldSchema[];
}

/** A whole proto package. */
export interface ProtoSchema {
  readonly messages: { readonly [name: string]: MessageSchema };
  readonly enums: { readonly [name: string]: { readonly [value: string]: number } };
}

/** Wire types of the protobuf encoding. */
export const WireType = { VARINT: 0, FIXED64: 1, BYTES: 2, START_GROUP: 3, END_GROUP: 4, FIXED32: 5 } as const;

const WIRE_OF_SCALAR: { readonly [type: string]: number } = {
  int32: WireType.VARINT, int64: WireType.VARINT, uint32: WireType.VARINT, uint64: WireType.VARINT,
  sint32: WireType.VARINT, sint64: WireType.VARINT, bool: WireType.VARINT,
  fixed64: WireType.FIXED64, sfixed64: WireType.FIXED64, double: WireType.FIXED64,
  fixed32: WireType.FIXED32, sfixed32: WireType.FIXED32, float: WireType.FIXED32,
  string: WireType.BYTES, bytes: WireType.BYTES,
};

/** The wire type one element of a field is written with (packing aside). */
export function wireTypeOf(field: FieldSchema): number {
  if (field.kind === 'enum') return WireType.VARINT;
  if (field.kind === 'scalar') {
    const wt = WIRE_OF_SCALAR[field.type];
    if (wt === undefined) throw new Error(`unsupported scalar type ${field.type}`);
    return wt;
  }
  return WireType.BYTES;
}

/** Whether a repeated field of this type is packed in proto3 (numeric scalars and enums). */
export function isPackable(field: FieldSchema): boolean {
  return field.kind === 'enum' || (field.kind === 'scalar' && field.type !== 'string' && field.type !== 'bytes');
}

/** Messages indexed for the codec: fields by number, and the order Go writes them in. */
export interface IndexedMessage {
  readonly name: string;
  readonly byId: ReadonlyMap<number, FieldSchema>;
  /** Plain fields by number, then oneof members by number: Go's deterministic order. */
  readonly writeOrder: readonly FieldSchema[];
  readonly fields: readonly FieldSchema[];
  /** For each oneof member, the other members of its group (cleared when it is set). */
  readonly oneofSiblings: ReadonlyMap<FieldSchema, readonly string[]>;
}

const indexCache = new WeakMap<ProtoSchema, Map<string, IndexedMessage>>();

/** Looks up a message of a schema, indexed once per schema. */
export function indexedMessage(schema: ProtoSchema, name: string): IndexedMessage {
  let cache = indexCache.get(schema);
  if (!cache) {
    cache = new Map();
    indexCache.set(schema, cache);
  }
  let hit = cache.get(name);
  if (hit) return hit;
  const msg = schema.messages[name];
  if (!msg) throw new Error(`unknown message ${name}`);
  const byId = new Map(msg.fields.map((f) => [f.id, f]));
  const byNumber = [...msg.fields].sort((a, b) => a.id - b.id);
  const writeOrder = [...byNumber.filter((f) => !f.oneof), ...byNumber.filter((f) => f.oneof)];
  const oneofSiblings = new Map(
    msg.fields.filter((f) => f.oneof).map((f) => [f, msg.fields.filter((o) => o.oneof === f.oneof && o !== f).map((o) => o.name)] as const),
  );
  hit = { name, byId, writeOrder, fields: msg.fields, oneofSiblings };
  cache.set(name, hit);
  return hit;
}
