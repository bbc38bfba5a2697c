import { isUtf8 } from 'node:buffer';
import { ProtoDecodeError } from '../errors.js';
import type { Int64 } from './proto-schema.js';
import { WireType } from './proto-schema.js';


/**
 * A bounds-checked protobuf byte reader.
 *
 * Every read checks the end of its window first, so truncated or garbage
 * input raises a `ProtoDecodeError` naming the byte offset, never a RangeError
 * or a hang.
 */
export class ProtoReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  /** Offset of `buf[0]` within the outermost buffer, for error messages. */
  readonly base: number;
  readonly #parent: ProtoReader | undefined;
  readonly #label: string;

  /**
   * A reader over `buf[start, end)`. Nested readers name their field (`label`)
   * and parent; the field path is only assembled when an error needs it.
   */
  constructor(buf: Uint8Array, start = 0, end = buf.length, base = 0, label = '', parent?: ProtoReader) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.base = base;
    this.#label = label;
    this.#parent = parent;
  }

  /** A reader over a window of this one, for the value of field `label`. */
  sub(start: number, end: number, label: string): ProtoReader {
    return new ProtoReader(this.buf, start, end, this.base, label, this);
  }

  /** The field path from the outermost message, e.g. `Op.exec.mounts[1]`. */
  get path(): string {
    return this.#parent ? `${this.#parent.path}.${this.#label}` : this.#label;
  }

  /** Raises a decode error at the current position. */
  fail(code: string, detail: string, at = this.pos): never {
    throw new ProtoDecodeError(code, detail, this.base + at, this.path);
  }

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** High 32 bits of the last varint read (the low half is returned); no tuple per read. */
  #hi = 0;

  /** Reads a varint: returns the low 32 bits, leaves the high ones in `#hi`; rejects varints over ten bytes. */
  #varint(): number {
    const start = this.pos;
    // Fast path: a one-byte varint (most tags, lengths and small numbers).
    if (this.pos < this.end && this.buf[this.pos]! < 0x80) {
      this.#hi = 0;
      return this.buf[this.pos++]!;
    }
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) this.fail('truncated', 'truncated varint', start);
      const b = this.buf[this.pos++]!;
      if (i < 4) lo |= (b & 0x7f) << (7 * i);
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi |= (b & 0x70) >> 4;
      } else hi |= (b & 0x7f) << (7 * i - 32 + 0);
      if (!(b & 0x80)) {
        if (i === 9 && b > 1) this.fail('bad-varint', 'varint overflows 64 bits', start);
        this.#hi = hi >>> 0;
        return lo >>> 0;
      }
    }
    return this.fail('bad-varint', 'varint longer than ten bytes', start);
  }

  /** Reads a varint as an unsigned 32-bit value (the low bits, as Go's uint32 conversion does). */
  uint32(): number {
    return this.#varint();
  }

  /** Reads a varint as a signed 32-bit value (Go's int32 conversion). */
  int32(): number {
    return this.#varint() | 0;
  }

  /** Reads a varint as a signed 64-bit value: a number when safe, else a bigint. */
  int64(): Int64 {
    const lo = this.#varint();
    const hi = this.#hi;
    if (hi === 0 && lo <= 0x7fffffff) return lo;
    return toInt64(BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)));
  }

  /** Reads a varint as an unsigned 64-bit value. */
  uint64(): Int64 {
    const lo = this.#varint();
    const hi = this.#hi;
    return toInt64((BigInt(hi) << 32n) | BigInt(lo));
  }

  bool(): boolean {
    const lo = this.#varint();
    return lo !== 0 || this.#hi !== 0;
  }

  fixed32(): number {
    this.#need(4);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  fixed64(): bigint {
    this.#need(8);
    const v = new DataView(this.buf.buffer, this.buf.byteOffset).getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  #need(n: number): void {
    if (this.end - this.pos < n) this.fail('truncated', `truncated value: need ${n} bytes, ${this.end - this.pos} left`);
  }

  /** Reads a length prefix and returns the [start, end) window it covers. */
  window(): [start: number, end: number] {
    const at = this.pos;
    const lo = this.#varint();
    const hi = this.#hi;
    if (hi !== 0 || lo > this.end - this.pos) this.fail('truncated', `length ${hi ? 'over 2^32' : lo} runs past the end (${this.end - this.pos} bytes left)`, at);
    const start = this.pos;
    this.pos += lo;
    return [start, this.pos];
  }

  /** Reads length-prefixed bytes (a copy, so callers may keep it). */
  bytes(): Uint8Array {
    const [s, e] = this.window();
    return this.buf.slice(s, e);
  }

  /** Reads a length-prefixed string; invalid UTF-8 is an error, as in Go's proto3. */
  string(): string {
    const [s, e] = this.window();
    if (e - s <= 64) {
      // Short ASCII strings (most LLB strings) are built directly; anything else is validated.
      let ascii = true;
      for (let i = s; i < e; i++) if (this.buf[i]! >= 0x80) { ascii = false; break; }
      if (ascii) return String.fromCharCode.apply(null, this.buf.subarray(s, e) as unknown as number[]);
    }
    const bytes = Buffer.from(this.buf.buffer, this.buf.byteOffset + s, e - s);
    if (!isUtf8(bytes)) this.fail('bad-utf8', 'string field contains invalid UTF-8', s);
    return bytes.toString('utf8');
  }

  /** Reads a field tag; field 0 and wire types 6-7 are errors. */
  tag(): [id: number, wireType: number] {
    const at = this.pos;
    const lo = this.#varint();
    if (this.#hi !== 0) this.fail('bad-tag', 'field number out of range', at);
    const id = lo >>> 3;
    const wt = lo & 7;
    if (id === 0) this.fail('bad-tag', 'invalid field number 0', at);
    if (wt > 5) this.fail('bad-wire-type', `invalid wire type ${wt}`, at);
    return [id, wt];
  }

  /** Skips one value of the given wire type (groups included, bounded in depth). */
  skip(id: number, wireType: number, depth = 0): void {
    switch (wireType) {
      case WireType.VARINT:
        this.#varint();
        return;
      case WireType.FIXED64:
        this.#need(8);
        this.pos += 8;
        return;
      case WireType.FIXED32:
        this.#need(4);
        this.pos += 4;
        return;
      case WireType.BYTES:
        this.window();
        return;
      case WireType.START_GROUP: {
        if (depth > 100) this.fail('too-deep', 'groups nested too deeply');
        for (;;) {
          if (this.done) this.fail('truncated', `unterminated group ${id}`);
          const [innerId, innerWt] = this.tag();
          if (innerWt === WireType.END_GROUP) {
            if (innerId !== id) this.fail('bad-group', `group ${id} closed by ${innerId}`);
            return;
          }
          this.skip(innerId, innerWt, depth + 1);
        }
      }
      default:
        this.fail('bad-group', `unexpected end of group ${id}`);
    }
  }
}

function toInt64(v: bigint): Int64 {
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}
