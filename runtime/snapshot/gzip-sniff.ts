import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { KilnError } from '../../compiler/index.js';

/** zstd frames start with 28 b5 2f fd. */
const ZSTD_MAGIC = 0xfd2fb528;

/** Node 20's zlib has no zstd: Debian's zstd tool decompresses the stream. */
async function unzstd(input: Readable): Promise<Readable> {
  const { execa } = await import('execa');
  const child = execa('zstd', ['-d', '-q', '-c'], { stdin: 'pipe', stdout: 'pipe', buffer: false, reject: false });
  const out = child.stdout!;
  input.on('error', (err) => out.destroy(err));
  input.pipe(child.stdin!);
  void child.then((r) => {
    if (r.exitCode !== 0) out.destroy(new KilnError('snapshot/zstd', `zstd -d failed (is the zstd package installed?): ${r.stderr || r.shortMessage}`));
  });
  return out;
}

/**
 * `input` itself, or piped through gunzip when it starts with gzip's magic
 * (1f 8b): layers come as `tar` or `tar+gzip` and a blob's media type is not
 * always at hand, so the bytes decide, as containerd's DecompressStream does.
 */
export async function gunzipIfNeeded(input: Readable): Promise<Readable> {
  const head = await peek(input, 4);
  if (head.length >= 4 && head.readUInt32LE(0) === ZSTD_MAGIC) return unzstd(input);
  if (head.length < 2 || head[0] !== 0x1f || head[1] !== 0x8b) return input;
  const gunzip = createGunzip();
  input.on('error', (err) => gunzip.destroy(err));
  return input.pipe(gunzip);
}

/** Reads up to `n` bytes and puts them back. */
function peek(input: Readable, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (): void => {
      input.off('readable', onReadable).off('end', done).off('error', reject);
      const head = Buffer.concat(chunks);
      if (head.length > 0) input.unshift(head);
      resolve(head);
    };
    const onReadable = (): void => {
      let chunk: Buffer | null;
      while (size < n && (chunk = input.read() as Buffer | null) !== null) {
        chunks.push(chunk);
        size += chunk.length;
      }
      if (size >= n) done();
    };
    input.on('readable', onReadable).on('end', done).on('error', reject);
    onReadable();
  });
}
