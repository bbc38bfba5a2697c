import type { FieldSchema, ProtoSchema } from '../wire/proto-schema.js';
import { indexedMessage } from '../wire/proto-schema.js';

type Obj = { readonly [key: string]: unknown };

/**
 * Renders an LLB message as Go's `encoding/json` renders BuildKit's `pb` structs.
 *
 * That is the format of `buildctl debug dump-llb`: fields in declaration order
 * under their proto names, zero values omitted (`omitempty`), set messages
 * printed even when empty, map keys sorted, bytes in base64, and HTML-unsafe
 * characters escaped as Go does. Three messages have hand-written JSON in
 * BuildKit (`solver/pb/json.go`), reproduced here: `Op` (the oneof under
 * `"Op"`), `FileAction` (indices always printed, the action under `"Action"`,
 * no case for symlink) and `UserOpt` (`{"User":{"byName"|"byId"}}`).
 */
export function goJson(schema: ProtoSchema, name: string, value: object): string {
  switch (name) {
    case 'Op':
      return opJson(schema, value as Obj);
    case 'FileAction':
      return fileActionJson(schema, value as Obj);
    case 'UserOpt':
      return userOptJson(schema, value as Obj);
    default:
      return plainJson(schema, name, value as Obj);
  }
}

function plainJson(schema: ProtoSchema, name: string, value: Obj): string {
  const parts: string[] = [];
  for (const field of indexedMessage(schema, name).fields) {
    const rendered = fieldJson(schema, field, value[field.name]);
    if (rendered !== undefined) parts.push(`${goString(field.name)}:${rendered}`);
  }
  return `{${parts.join(',')}}`;
}

/** A field under `omitempty`, or undefined when Go would leave it out. */
function fieldJson(schema: ProtoSchema, field: FieldSchema, v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (field.kind === 'map') {
    const keys = Object.keys(v as Obj).sort(compareBytes);
    if (keys.length === 0) return undefined;
    return `{${keys.map((k) => `${goString(k)}:${valueJson(schema, field, (v as Obj)[k])}`).join(',')}}`;
  }
  if (field.repeated) {
    const list = v as readonly unknown[];
    if (list.length === 0) return undefined;
    return `[${list.map((x) => valueJson(schema, field, x)).join(',')}]`;
  }
  if (field.kind !== 'message' && isEmpty(v)) return undefined;
  return valueJson(schema, field, v);
}

function valueJson(schema: ProtoSchema, field: FieldSchema, v: unknown): string {
  if (schema.messages[field.type]) return goJson(schema, field.type, (v ?? {}) as Obj);
  if (v instanceof Uint8Array) return `"${Buffer.from(v).toString('base64')}"`;
  if (typeof v === 'string') return goString(v);
  return String(v);
}

function isEmpty(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return v == 0;
  if (typeof v === 'boolean') return !v;
  if (typeof v === 'string') return v === '';
  return v instanceof Uint8Array && v.length === 0;
}

function oneofJson(schema: ProtoSchema, message: string, value: Obj, members: readonly string[]): string {
  const fields = indexedMessage(schema, message).byId;
  const parts: string[] = [];
  for (const f of fields.values()) {
    if (!members.includes(f.name) || value[f.name] === undefined) continue;
    parts.push(`${goString(f.name)}:${valueJson(schema, f, value[f.name])}`);
  }
  return `{${parts.join(',')}}`;
}

function opJson(schema: ProtoSchema, op: Obj): string {
  const fields = indexedMessage(schema, 'Op').byId;
  const parts: string[] = [];
  const inputs = fieldJson(schema, fields.get(1)!, op.inputs);
  if (inputs !== undefined) parts.push(`"inputs":${inputs}`);
  parts.push(`"Op":${oneofJson(schema, 'Op', op, ['exec', 'source', 'file', 'build', 'merge', 'diff'])}`);
  for (const id of [10, 11]) {
    const f = fields.get(id)!;
    const rendered = fieldJson(schema, f, op[f.name]);
    if (rendered !== undefined) parts.push(`${goString(f.name)}:${rendered}`);
  }
  return `{${parts.join(',')}}`;
}

function fileActionJson(schema: ProtoSchema, action: Obj): string {
  const num = (v: unknown) => String(v ?? 0);
  // BuildKit's json.go has no symlink case: a symlink action prints as {}.
  const act = oneofJson(schema, 'FileAction', action, ['copy', 'mkfile', 'mkdir', 'rm']);
  return `{"input":${num(action.input)},"secondaryInput":${num(action.secondaryInput)},"output":${num(action.output)},"Action":${act}}`;
}

function userOptJson(schema: ProtoSchema, user: Obj): string {
  const parts: string[] = [];
  if (user.byName !== undefined) parts.push(`"byName":${goJson(schema, 'NamedUserOpt', user.byName as Obj)}`);
  if (user.byID !== undefined && user.byID !== 0) parts.push(`"byId":${String(user.byID)}`);
  return `{"User":{${parts.join(',')}}}`;
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/** Quotes a string as Go's encoding/json does (HTML-safe escaping on). */
export function goString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || ch === '<' || ch === '>' || ch === '&' || c === 0x2028 || c === 0x2029) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += '\\ufffd';
    else out += ch;
  }
  return `${out}"`;
}
