import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import type { Readable } from 'node:stream';
import { isDigest, KilnError } from '../../compiler/index.js';
import type { Digest } from '../../compiler/index.js';
import { abortError } from '../solver/index.js';
import { pidAlive } from './pid.js';
import { rootPaths } from './root.js';

/** A blob's address and length. */
export interface BlobInfo {
  readonly digest: Digest;
  readonly size: number;
}

/** What `put` accepts: bytes, or a stream of them (a `Readable` is one). */
export type BlobSource = Uint8Array | AsyncIterable<Uint8Array>;

/** Options of {@link ContentStore.put}. */
export interface PutOptions {
  /** The digest the content must have; a mismatch stores nothing and throws `content/digest-mismatch`. */
  readonly expected?: Digest;
  /** The length the content must have (`content/size-mismatch`), as a descriptor states it. */
  readonly size?: number;
  readonly signal?: AbortSignal;
}

const HEX = /^[0-9a-f]{64}$/;
// Writers name their temp files after their pid so a cleaner can tell a live
// writer's file from one a killed process left behind.
const TEMP_PREFIX = '.tmp-';

/**
 * A content-addressed blob store, `<root>/blobs/sha256/<hex>`, containerd's
 * layout (and an OCI layout's). A blob appears under its name only complete and
 * verified: writers fill a temp file in the same directory, fsync it and rename
 * it into place, so a killed writer leaves at most a temp file, never a partial blob.
 */
export class ContentStore {
  readonly dir: string;

  constructor(root: string) {
    this.dir = rootPaths(root).blobs;
  }

  /** Stores content and returns its digest and size; storing existing content is a no-op. */
  async put(source: BlobSource, opts: PutOptions = {}): Promise<BlobInfo> {
    if (opts.expected !== undefined) checkDigest(opts.expected);
    if (opts.signal?.aborted) throw abortError(opts.signal);
    await mkdir(this.dir, { recursive: true });
    const temp = join(this.dir, `${TEMP_PREFIX}${process.pid}-${randomBytes(6).toString('hex')}`);
    const handle = await open(temp, 'wx', 0o644);
    let committed = false;
    try {
      const { digest, size } = await writeAll(handle, source, opts);
      await handle.sync();
      await handle.close();
      if (opts.size !== undefined && size !== opts.size) {
        throw new KilnError('content/size-mismatch', `content is ${size} bytes, expected ${opts.size}`);
      }
      if (opts.expected !== undefined && digest !== opts.expected) {
        throw new KilnError('content/digest-mismatch', `content has digest ${digest}, expected ${opts.expected}`);
      }
      // rename replaces an existing blob atomically; its bytes are the same by construction.
      await rename(temp, this.#path(digest));
      committed = true;
      await syncDir(this.dir);
      return { digest, size };
    } finally {
      if (!committed) {
        await handle.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
      }
    }
  }

  /** Reads a whole blob, checking it against its digest. */
  async get(digest: Digest): Promise<Uint8Array> {
    checkDigest(digest);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(this.#path(digest)));
    } catch (err) {
      throw notFound(digest, err);
    }
    const actual = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (actual !== digest) throw corrupt(digest, actual);
    return bytes;
  }

  /** Opens a blob as a stream that fails at its end if the bytes do not match the digest. */
  async stream(digest: Digest): Promise<Readable> {
    checkDigest(digest);
    let handle: FileHandle;
    try {
      handle = await open(this.#path(digest), 'r');
    } catch (err) {
      throw notFound(digest, err);
    }
    const hash = createHash('sha256');
    const verify = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        done(null, chunk);
      },
      flush(done) {
        const actual = `sha256:${hash.digest('hex')}`;
        done(actual === digest ? null : corrupt(digest, actual));
      },
    });
    pipeline(handle.createReadStream(), verify, () => undefined);
    return verify;
  }

  /** Whether a blob is stored. */
  async has(digest: Digest): Promise<boolean> {
    return (await this.info(digest)) !== undefined;
  }

  /** A stored blob's size, or undefined when it is not stored. */
  async info(digest: Digest): Promise<BlobInfo | undefined> {
    checkDigest(digest);
    try {
      const st = await stat(this.#path(digest));
      return st.isFile() ? { digest, size: st.size } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes a blob; returns whether it was there. */
  async delete(digest: Digest): Promise<boolean> {
    checkDigest(digest);
    try {
      await unlink(this.#path(digest));
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw err;
    }
  }

  /** Every stored blob, ignoring temp files and anything else that is not named by a digest. */
  async list(): Promise<BlobInfo[]> {
    const out: BlobInfo[] = [];
    for (const name of await readNames(this.dir)) {
      if (!HEX.test(name)) continue;
      const info = await this.info(`sha256:${name}`);
      if (info) out.push(info);
    }
    return out;
  }

  /**
   * Deletes temp files left by writers that died (their pid is gone), or older
   * than `maxAgeMs` whatever their pid (a pid can be reused); returns how many.
   */
  async cleanTemp(maxAgeMs = 24 * 3600_000): Promise<number> {
    let removed = 0;
    for (const name of await readNames(this.dir)) {
      if (!name.startsWith(TEMP_PREFIX)) continue;
      const pid = Number(name.slice(TEMP_PREFIX.length).split('-')[0]);
      const path = join(this.dir, name);
      const old = await stat(path).then((st) => Date.now() - st.mtimeMs > maxAgeMs, () => false);
      if (pid !== process.pid && (old || !pidAlive(pid))) {
        await unlink(path).then(() => removed++, () => undefined);
      }
    }
    return removed;
  }

  #path(digest: Digest): string {
    return join(this.dir, digest.slice('sha256:'.length));
  }
}

async function writeAll(handle: FileHandle, source: BlobSource, opts: PutOptions): Promise<BlobInfo> {
  const hash = createHash('sha256');
  let size = 0;
  const chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = source instanceof Uint8Array ? [source] : source;
  for await (const chunk of chunks) {
    if (opts.signal?.aborted) throw abortError(opts.signal);
    hash.update(chunk);
    size += chunk.byteLength;
    if (opts.size !== undefined && size > opts.size) {
      throw new KilnError('content/size-mismatch', `content is longer than the expected ${opts.size} bytes`);
    }
    for (let off = 0; off < chunk.byteLength; ) {
      const { bytesWritten } = await handle.write(chunk, off, chunk.byteLength - off);
      off += bytesWritten;
    }
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/** Makes a rename durable: the directory entry is metadata of the directory. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function readNames(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
}

function checkDigest(digest: string): asserts digest is Digest {
  if (!isDigest(digest)) throw new KilnError('content/bad-digest', `invalid digest ${JSON.stringify(digest)}`);
}

function notFound(digest: Digest, cause: unknown): KilnError {
  if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return new KilnError('content/not-found', `blob ${digest} not found`, { cause });
  return new KilnError('content/read-failed', `cannot read blob ${digest}`, { cause });
}

function corrupt(digest: Digest, actual: string): KilnError {
  return new KilnError('content/corrupt', `blob ${digest} is corrupt: its bytes hash to ${actual}`);
}
