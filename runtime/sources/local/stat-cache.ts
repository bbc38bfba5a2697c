import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ContextEntry } from './walk-context.js';

interface CachedDigest {
  readonly size: number;
  readonly mtimeNs: string;
  readonly inode: string;
  readonly ctimeNs: string;
  readonly digest: string;
}

interface StatCacheFile {
  readonly version: 1;
  readonly entries: Readonly<Record<string, CachedDigest>>;
}

/**
 * File digests remembered between checksums, keyed by path and valid while the file's size,
 * mtime, inode and ctime are unchanged (git's index trick: a write changes ctime even when
 * mtime is set back), persisted as JSON. A missing or unreadable file is an empty cache.
 */
export class StatCache {
  readonly #file: string | undefined;
  readonly #entries: Map<string, CachedDigest>;
  readonly #used = new Set<string>();
  #dirty = false;

  private constructor(file: string | undefined, entries: Map<string, CachedDigest>) {
    this.#file = file;
    this.#entries = entries;
  }

  /** Reads the cache at `file`; undefined gives a cache kept in memory only. */
  static async load(file: string | undefined): Promise<StatCache> {
    const entries = new Map<string, CachedDigest>();
    if (file !== undefined) {
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as Partial<StatCacheFile>;
        // Anything but this version's shape is thrown away: the cache is only an optimization.
        if (parsed.version === 1 && typeof parsed.entries === 'object' && parsed.entries !== null) {
          for (const [path, v] of Object.entries(parsed.entries)) {
            if (typeof v?.digest === 'string') entries.set(path, v);
          }
        }
      } catch {
        // missing or corrupt: start empty
      }
    }
    return new StatCache(file, entries);
  }

  /** The digest recorded for `entry`'s path if the file has not changed since, else undefined. */
  lookup(entry: ContextEntry): string | undefined {
    const c = this.#entries.get(entry.path);
    this.#used.add(entry.path);
    if (c === undefined) return undefined;
    if (c.size !== entry.size || c.mtimeNs !== String(entry.mtimeNs) || c.inode !== String(entry.inode) || c.ctimeNs !== String(entry.ctimeNs)) {
      return undefined;
    }
    return c.digest;
  }

  /** Remembers the digest read for `entry`. */
  record(entry: ContextEntry, digest: string): void {
    this.#used.add(entry.path);
    this.#entries.set(entry.path, {
      size: entry.size,
      mtimeNs: String(entry.mtimeNs),
      inode: String(entry.inode),
      ctimeNs: String(entry.ctimeNs),
      digest,
    });
    this.#dirty = true;
  }

  /**
   * Writes the cache atomically (temp file in the same directory, then rename). With `prune`,
   * paths not looked up since load are dropped (after a checksum of the whole tree).
   */
  async save(prune: boolean): Promise<void> {
    if (prune) {
      for (const path of this.#entries.keys()) {
        if (!this.#used.has(path)) {
          this.#entries.delete(path);
          this.#dirty = true;
        }
      }
    }
    if (this.#file === undefined || !this.#dirty) return;
    // fromEntries defines properties, so a file named __proto__ stays a plain key.
    const entries = Object.fromEntries(this.#entries);
    const body: StatCacheFile = { version: 1, entries };
    await mkdir(dirname(this.#file), { recursive: true });
    const tmp = `${this.#file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(body));
      await rename(tmp, this.#file);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    this.#dirty = false;
  }
}
