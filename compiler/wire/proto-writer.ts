import type { Int64 } from './proto-schema.js';

const textEncoder = new TextEncoder();

/**
 * An append-only protobuf byte writer.
 *
 * Integers follow Go's encoding: int32/int64/enums are sign-extended to 64 bits
 * (so -1 takes ten bytes), uint32 is written as is.
 */
export class ProtoWriter {
  #buf = new Uint8Array(256);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.#buf.subarray(0, this.#len));
    this.#buf = next;
  }

  /** Writes an unsigned varint of up to 32 bits (tags, lengths, uint32). */
  uint32(value: number): this {
    this.#reserve(5);
    let v = value >>> 0;
    while (v > 0x7f) {
      this.#buf[this.#len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[this.#len++] = v;
    return this;
  }

  /** Writes a field tag. */
  tag(id: number, wireType: number): this {
    return this.uint32(((id << 3) | wireType) >>> 0);
  }

  /** Writes a 64-bit varint (two's complement for negatives, as Go does for int32/int64). */
  int64(value: Int64): this {
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff && Number.isInteger(value)) return this.uint32(value);
    let v = BigInt.asUintN(64, BigInt(value));
    this.#reserve(10);
    while (v > 0x7fn) {
      this.#buf[this.#len++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.#buf[this.#len++] = Number(v);
    return this;
  }

  /** Writes a little-endian fixed 32-bit value. */
  fixed32(value: number): this {
    this.#reserve(4);
    new DataView(this.#buf.buffer).setUint32(this.#len, value >>> 0, true);
    this.#len += 4;
    return this;
  }

  /** Writes a little-endian fixed 64-bit value. */
  fixed64(value: Int64): this {
    this.#reserve(8);
    new DataView(this.#buf.buffer).setBigUint64(this.#len, BigInt.asUintN(64, BigInt(value)), true);
    this.#len += 8;
    return this;
  }

  /** Writes raw bytes without a length prefix. */
  raw(bytes: Uint8Array): this {
    this.#reserve(bytes.length);
    this.#buf.set(bytes, this.#len);
    this.#len += bytes.length;
    return this;
  }

  /** Writes length-prefixed bytes. */
  bytes(bytes: Uint8Array): this {
    return this.uint32(bytes.length).raw(bytes);
  }

  /** Writes a length-prefixed UTF-8 string. */
  string(value: string): this {
    return this.bytes(textEncoder.encode(value));
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}
