import { spawn } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { PassThrough, pipeline } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';

/** A compression moby/go-archive's `DecompressStream` recognises by its first bytes. */
export type Compression = 'none' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

const MAGIC: readonly (readonly [Compression, readonly number[]])[] = [
  ['gzip', [0x1f, 0x8b, 0x08]],
  ['bzip2', [0x42, 0x5a, 0x68]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
];

// Node has gzip built in; for the others kiln runs the usual tools, as go-archive itself does
// for xz (it shells out to `xz -d -c -q`).
const TOOLS: { readonly [c in Compression]?: string } = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' };

/** The compression of the file at `path`, from its magic bytes. */
export async function detectCompression(path: string): Promise<Compression> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(6);
    const { bytesRead } = await fh.read(head, 0, 6, 0);
    for (const [kind, magic] of MAGIC) {
      if (bytesRead >= magic.length && magic.every((b, i) => head[i] === b)) return kind;
    }
    return 'none';
  } finally {
    await fh.close();
  }
}

/**
 * The decompressed bytes of the file at `path` as a stream. A decompressor that fails
 * (corrupt data, a missing tool) makes the stream error, never hang.
 */
export function decompressedStream(path: string, compression: Compression): Readable {
  const file = createReadStream(path);
  if (compression === 'none') return file;
  if (compression === 'gzip') {
    const gunzip = createGunzip();
    pipeline(file, gunzip, () => undefined);
    return gunzip;
  }
  const out = new PassThrough();
  const child = spawn(TOOLS[compression]!, ['-d', '-c', '-q'], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.on('error', (err) => out.destroy(err));
  pipeline(file, child.stdin, () => undefined);
  child.stdout.pipe(out, { end: false });
  child.on('close', (code) => {
    if (code === 0) out.end();
    else out.destroy(new Error(`${TOOLS[compression]} exited with ${code}`));
  });
  out.on('close', () => {
    if (child.exitCode === null) child.kill();
  });
  return out;
}

/** Up to `n` first bytes of a stream, which is then destroyed; a stream that errors gives what it had. */
export async function readHead(stream: Readable, n: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= n) break;
    }
  } catch {
    // A corrupt stream is "not an archive" to the caller: what was read decides.
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

/**
 * Whether `block` is a tar header Go's `tar.Reader.Next` accepts: 512 bytes, not the zero
 * end-of-archive block, with a checksum that matches (as unsigned or signed byte sums).
 */
export function isTarHeader(block: Buffer): boolean {
  if (block.length < 512 || block.every((b) => b === 0)) return false;
  const field = block.subarray(148, 156).toString('latin1').replace(/[ \0]+$/, '').replace(/^[ \0]+/, '');
  if (!/^[0-7]+$/.test(field)) return false;
  const want = parseInt(field, 8);
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < 512; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i]!;
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return want === unsigned || want === signed;
}
