import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { setImmediate as nextTick } from 'node:timers/promises';
import { patterns } from '../../../compiler/index.js';
import { followLinks } from './follow-links.js';
import { LocalSourceError } from './local-error.js';
import { StatCache } from './stat-cache.js';
import { resolveContextRoot, walkContext } from './walk-context.js';
import type { ContextEntry, WalkContextOptions } from './walk-context.js';

/** Options of the checksums. */
export interface ChecksumOptions {
  /** A JSON file remembering file digests between runs, so only changed files are read again. */
  readonly statCachePath?: string;
  /** Reads one file's content digest (`sha256:…`); replaceable to count or fake reads. */
  readonly digestFile?: (absPath: string, signal?: AbortSignal) => Promise<string>;
  /**
   * A file whose ctime is less than this many ms before the pass is read again next time rather
   * than remembered (default 2000): a change in the clock tick it was read in could leave its
   * size, times and inode as they were.
   */
  readonly racyWindowMs?: number;
  /** Files read at once (default 16). */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

/** Options of checksumPaths: which context the selectors read from. */
export interface ChecksumPathsOptions extends ChecksumOptions {
  /** The local source's filters, when `root` is the unfiltered context rather than its synced copy. */
  readonly filter?: WalkContextOptions;
}

const FORMAT = 'kiln-local-content-v1';
const SMALL_FILE = 1 << 20;

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW;
// Allocated on first use: allocated as the module loads, it would be saved in the start-up snapshot.
let smallBuffer: Buffer | undefined;

// A small file is read with synchronous calls: four async calls per file (open, fstat, read,
// close) cost far more than the reads themselves on a tree of small files.
function digestSmallFile(absPath: string): string | undefined {
  const fd = openSync(absPath, OPEN_FLAGS);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new LocalSourceError('local/read-failed', `${absPath} is not a regular file`);
    if (st.size > SMALL_FILE) return undefined;
    const hash = createHash('sha256');
    const buf = (smallBuffer ??= Buffer.allocUnsafe(SMALL_FILE));
    for (;;) {
      const n = readSync(fd, buf, 0, SMALL_FILE, null);
      if (n === 0) break;
      hash.update(buf.subarray(0, n));
    }
    return `sha256:${hash.digest('hex')}`;
  } finally {
    closeSync(fd);
  }
}

/** The sha256 of a regular file's bytes, read without following a symlink. */
export async function digestFileContent(absPath: string, signal?: AbortSignal): Promise<string> {
  const small = digestSmallFile(absPath);
  if (small !== undefined) return small;
  const fh = await open(absPath, OPEN_FLAGS);
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new LocalSourceError('local/read-failed', `${absPath} is not a regular file`);
    const hash = createHash('sha256');
    const buf = Buffer.allocUnsafe(SMALL_FILE);
    for (;;) {
      signal?.throwIfAborted();
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
    return `sha256:${hash.digest('hex')}`;
  } finally {
    await fh.close();
  }
}

/** How recent a change may be for a digest to be remembered (see racyWindowMs). */
const RACY_MS = 2_000;

/** Content digests of the regular files among `entries`, from the cache or read (bounded concurrency). */
async function fileDigests(base: string, entries: readonly ContextEntry[], cache: StatCache, options: ChecksumOptions): Promise<Map<string, string>> {
  const digestFile = options.digestFile ?? digestFileContent;
  const out = new Map<string, string>();
  // One read per inode in a run: a hardlink and its target share it.
  const byInode = new Map<string, Promise<string>>();
  const todo: ContextEntry[] = [];
  for (const e of entries) {
    if (e.type !== 'file' && e.type !== 'hardlink') continue;
    const cached = cache.lookup(e);
    if (cached !== undefined) out.set(e.path, cached);
    else todo.push(e);
  }
  const trustedBefore = BigInt(Date.now() - (options.racyWindowMs ?? RACY_MS)) * 1_000_000n;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const e = todo[next++]!;
      // The default digest of a small file never waits: give the event loop a turn now and then.
      if (next % 128 === 0) await nextTick();
      options.signal?.throwIfAborted();
      const key = `${e.dev}:${e.inode}`;
      let p = byInode.get(key);
      if (p === undefined) {
        p = digestFile(`${base}/${e.path}`, options.signal).catch((err: unknown) => {
          if (err instanceof LocalSourceError) throw err;
          throw new LocalSourceError('local/read-failed', `read ${e.path}: ${(err as Error).message}`, e.path, { cause: err });
        });
        byInode.set(key, p);
      }
      const digest = await p;
      if (e.ctimeNs < trustedBefore) cache.record(e, digest);
      out.set(e.path, digest);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 16, todo.length)) }, worker));
  return out;
}

// One entry's line in the checksum: fields that cannot contain NUL, separated by NUL. A hardlink
// counts as the file it is (same content, mode and owner), not as a link to a name: which of
// two names the walk met first is not content.
function record(e: ContextEntry, digests: ReadonlyMap<string, string>): string {
  const type = e.type === 'hardlink' ? 'file' : e.type;
  const link = e.type === 'symlink' ? e.linkTarget! : '';
  const content = type === 'file' ? digests.get(e.path)! : '';
  const dev = e.type === 'char' || e.type === 'block' ? `${e.devMajor},${e.devMinor}` : '';
  return [e.path, type, e.mode.toString(8), e.uid, e.gid, link, content, dev].join('\0') + '\n';
}

async function collect(base: string, options: WalkContextOptions): Promise<ContextEntry[]> {
  const out: ContextEntry[] = [];
  for await (const e of walkContext(base, options)) out.push(e);
  return out;
}

/**
 * The content checksum of a local context as its walk options select it: the solver's cache
 * key input for a `local://` source (BuildKit's content-based keys, cache/contenthash). It is a
 * sha256 over every entry's path, type, mode, owner, symlink target and content digest in walk
 * order, and nothing else: touching a file (mtime only) keeps it, editing or chmod changes it.
 * With `statCachePath`, files whose size, mtime, inode and ctime are unchanged are not read.
 *
 * @example
 * const key = await checksumContext('/home/me/app', { exclude: ['node_modules'] }, { statCachePath: '/var/lib/kiln/local/app.json' });
 */
export async function checksumContext(root: string, walk: WalkContextOptions = {}, options: ChecksumOptions = {}): Promise<string> {
  const base = await resolveContextRoot(root);
  const entries = await collect(base, { ...walk, ...(options.signal ? { signal: options.signal } : {}) });
  const cache = await StatCache.load(options.statCachePath);
  const digests = await fileDigests(base, entries, cache, options);
  const hash = createHash('sha256').update(`${FORMAT}\n`);
  for (const e of entries) hash.update(record(e, digests));
  await cache.save(true);
  return `sha256:${hash.digest('hex')}`;
}

/** A selector's paths: what a COPY source `src/*.ts` or `app/` reads (cleaned, relative). */
function selectorKey(selector: string): string {
  const p = patterns.cleanPath(selector).replace(/^\/+/, '');
  return p === '' ? '.' : p;
}

/**
 * The content checksum of only some paths of a tree: what a COPY whose sources are
 * `selectors` reads, so that changing a file no selector reaches keeps the key. A selector is
 * a path or a glob (Go's `filepath.Match` wildcards `*`, `?`, `[…]`, and Docker's `**`); it
 * covers what it matches and everything under a matched directory. Symlinks named on the way
 * are followed inside the tree (a COPY of `current/` reads where `current` points). Each
 * selector's entries are hashed in turn, under the selector, so the selectors' order counts.
 *
 * @example
 * await checksumPaths(snapshot.dir, ['package.json', 'src/*.ts'])
 */
export async function checksumPaths(root: string, selectors: readonly string[], options: ChecksumPathsOptions = {}): Promise<string> {
  const base = await resolveContextRoot(root);
  const matchers: { readonly selector: string; readonly matcher: InstanceType<typeof patterns.PatternMatcher> | undefined }[] = [];
  const union: string[] = [];
  let everything = false;
  for (const selector of selectors) {
    const key = selectorKey(selector);
    const resolved = key === '.' ? undefined : await followLinks(base, [key]);
    if (resolved === undefined) everything = true;
    else union.push(...resolved);
    matchers.push({ selector: key, matcher: resolved === undefined ? undefined : new patterns.PatternMatcher(resolved) });
  }
  // Without the source's own filters the walk itself is limited to the selected paths, so
  // directories no selector reaches are not read; with them, the filtered walk is narrowed after.
  const walk: WalkContextOptions = options.filter ?? (everything ? {} : { include: union });
  const entries = await collect(base, { ...walk, ...(options.signal ? { signal: options.signal } : {}) });
  const selected = new Map<string, ContextEntry[]>();
  const needed = new Set<ContextEntry>();
  for (const { selector, matcher } of matchers) {
    const list = matcher === undefined ? entries : entries.filter((e) => matcher.matches(e.path));
    selected.set(selector, list);
    for (const e of list) needed.add(e);
  }
  const cache = await StatCache.load(options.statCachePath);
  const digests = await fileDigests(base, [...needed], cache, options);
  const hash = createHash('sha256').update(`${FORMAT}\npaths\n`);
  for (const { selector } of matchers) {
    hash.update(`${selector}\0\0\n`);
    for (const e of selected.get(selector)!) hash.update(record(e, digests));
  }
  await cache.save(false);
  return `sha256:${hash.digest('hex')}`;
}
