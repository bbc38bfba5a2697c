import type { Int64 } from './proto-schema.js';

/**
 * An append-only protobuf byte writer.
 *
 * Integers follow Go's encoding: int32/int64/enums are sign-extended to 64 bits
 * (so -1 takes ten bytes), uint32 is written as is. Nested messages are
 * written in place: `begin()` reserves one length byte and `end()` widens it
 * when the message turned out longer than 127 bytes, so no sub-buffers are made.
 */
export class ProtoWriter {
  #buf: Buffer = Buffer.allocUnsafe(1024);
  #len = 0;

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#len);
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
    if (typeof value === 'number' && value >= 0 && value <= 0xffffffff) return this.uint32(value);
    if (typeof value === 'number' && value < 0 && value >= -0x80000000) {
      // Sign-extended 32-bit negative: low 32 bits, then 0xff… filler, as Go writes it.
      this.#reserve(10);
      let lo = value >>> 0;
      for (let i = 0; i < 4; i++) {
        this.#buf[this.#len++] = (lo & 0x7f) | 0x80;
        lo >>>= 7;
      }
      this.#buf[this.#len++] = (lo & 0x0f) | 0xf0;
      for (let i = 0; i < 4; i++) this.#buf[this.#len++] = 0xff;
      this.#buf[this.#len++] = 0x01;
      return this;
    }
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
    this.#buf.writeUInt32LE(value >>> 0, this.#len);
    this.#len += 4;
    return this;
  }

  /** Writes a little-endian fixed 64-bit value. */
  fixed64(value: Int64): this {
    this.#reserve(8);
    this.#buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(value)), this.#len);
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
    const n = Buffer.byteLength(value, 'utf8');
    this.uint32(n);
    this.#reserve(n);
    this.#len += this.#buf.write(value, this.#len, n, 'utf8');
    return this;
  }

  /** Starts a length-delimited value written in place; pass the result to `end()`. */
  begin(): number {
    this.#reserve(1);
    return this.#len++;
  }

  /** Ends a value started with `begin()`, writing its length in front of it. */
  end(mark: number): this {
    const n = this.#len - mark - 1;
    let size = 1;
    for (let v = n >>> 7; v > 0; v >>>= 7) size++;
    if (size > 1) {
      this.#reserve(size - 1);
      this.#buf.copyWithin(mark + size, mark + 1, this.#len);
      this.#len += size - 1;
    }
    let v = n;
    let at = mark;
    while (v > 0x7f) {
      this.#buf[at++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.#buf[at] = v;
    return this;
  }

  /** The bytes written so far (a copy). */
  finish(): Uint8Array {
    return new Uint8Array(this.#buf.subarray(0, this.#len));
  }
}
