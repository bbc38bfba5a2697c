import { lstatSync, readdirSync, readlinkSync } from 'node:fs';
import type { BigIntStats, Dirent } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { setImmediate as nextTick } from 'node:timers/promises';
import { patterns } from '../../../compiler/index.js';
import { dedupePaths, followLinks } from './follow-links.js';
import { LocalSourceError } from './local-error.js';
import { compareNames } from './local-path.js';

/** What kind of file an entry is; `hardlink` is a regular file whose inode an earlier entry already sent. */
export type ContextEntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char' | 'block';

/** One file of a local context as the walk reports it (fsutil's `types.Stat`). */
export interface ContextEntry {
  /** Relative to the context, `/`-separated, cleaned (`src/app.ts`). */
  readonly path: string;
  readonly type: ContextEntryType;
  /** Permission bits with setuid, setgid and sticky (`st_mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Bytes for files and hardlinks, the target's length for symlinks, as lstat says for others. */
  readonly size: number;
  readonly mtimeNs: bigint;
  /** A symlink's target as stored; for a hardlink, the path of the entry it shares an inode with. */
  readonly linkTarget?: string;
  readonly devMajor?: number;
  readonly devMinor?: number;
  /** Local identity, for stat caches and change detection; not part of any checksum. */
  readonly dev: bigint;
  readonly inode: bigint;
  readonly ctimeNs: bigint;
}

/** What to send of a context: BuildKit's `local.includepattern`, `local.excludepatterns`, `local.followpaths`. */
export interface WalkContextOptions {
  /** Docker patterns; when given, only matching paths (and the directories above them) are sent. */
  readonly include?: readonly string[];
  /** Docker patterns with `!` exceptions, as in a .dockerignore. */
  readonly exclude?: readonly string[];
  /** Only these paths (and their parents) are sent; symlinks on the way are resolved inside the context. */
  readonly followPaths?: readonly string[];
  readonly signal?: AbortSignal;
}

const S_IFMT = 0o170000n;
const TYPE_BY_FORMAT = new Map<bigint, ContextEntryType>([
  [0o100000n, 'file'],
  [0o040000n, 'dir'],
  [0o120000n, 'symlink'],
  [0o010000n, 'fifo'],
  [0o020000n, 'char'],
  [0o060000n, 'block'],
]);

/** Linux's `major()` of a 64-bit dev_t. */
export function devMajor(rdev: bigint): number {
  return Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
}
/** Linux's `minor()` of a 64-bit dev_t. */
export function devMinor(rdev: bigint): number {
  return Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
}

// The walk makes synchronous lstat/readdir calls: on a context of small files each async call
// costs several times the syscall (a thread-pool round trip), which made a 20,000-file walk
// 4x slower. It gives the event loop back after this many entries so others still run.
const ENTRIES_PER_TURN = 256;

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * The include patterns a walk uses: `include` plus the resolved `followPaths` (fsutil's
 * `NewFilterFS`). undefined means everything.
 */
export async function effectiveIncludes(root: string, options: WalkContextOptions): Promise<readonly string[] | undefined> {
  let include = options.include ? [...options.include] : undefined;
  if (options.followPaths !== undefined) {
    const targets = await followLinks(root, options.followPaths);
    if (targets !== undefined) include = dedupePaths([...(include ?? []), ...targets]);
  }
  return include;
}

/** Resolves the context directory as fsutil's `NewFS` does (symlinks in the path itself are followed). */
export async function resolveContextRoot(root: string): Promise<string> {
  let real: string;
  try {
    real = await realpath(root);
  } catch (err) {
    throw new LocalSourceError('local/not-a-directory', `resolve ${root}: ${(err as Error).message}`, undefined, { cause: err });
  }
  const st = await stat(real);
  if (!st.isDirectory()) throw new LocalSourceError('local/not-a-directory', `${root} is not a directory`);
  return real;
}

/**
 * Walks a local context directory the way BuildKit's client sends it (tonistiigi/fsutil's
 * filtered walk): depth first, siblings in byte order of their names, the root itself not
 * reported. Include/exclude patterns decide what is sent; a directory no pattern can reach
 * into is not read at all; a directory that is not sent itself is still reported (before its
 * children) when something under it is. Symlinks are reported as symlinks and never followed,
 * except that `followPaths` adds what the listed links point to (inside the context). Sockets
 * are not sent. A file whose inode was already sent is reported as a `hardlink` to it.
 *
 * Throws a LocalSourceError: `local/not-a-directory`, `local/read-failed`; a PatternError for
 * a bad pattern list.
 *
 * @example
 * for await (const e of walkContext('/src/app', { exclude: ['node_modules', '*.log'] })) console.log(e.path, e.type);
 */
export async function* walkContext(root: string, options: WalkContextOptions = {}): AsyncGenerator<ContextEntry> {
  const base = await resolveContextRoot(root);
  const include = await effectiveIncludes(base, options);
  const filter = new patterns.PathFilter({
    ...(include !== undefined ? { include } : {}),
    ...(options.exclude !== undefined ? { exclude: options.exclude } : {}),
  });
  const seen = new Map<string, string>();

  let sinceTurn = 0;
  const entryOf = (rel: string): ContextEntry | undefined => {
    const abs = `${base}/${rel}`;
    let st: BigIntStats;
    try {
      st = lstatSync(abs, { bigint: true });
    } catch (err) {
      // Gone since the directory was read: fsutil skips it too.
      if (errno(err) === 'ENOENT') return undefined;
      throw new LocalSourceError('local/read-failed', `lstat ${rel}: ${(err as Error).message}`, rel, { cause: err });
    }
    const type = TYPE_BY_FORMAT.get(st.mode & S_IFMT);
    if (type === undefined) return undefined;
    const common = {
      path: rel,
      mode: Number(st.mode & 0o7777n),
      uid: Number(st.uid),
      gid: Number(st.gid),
      size: Number(st.size),
      mtimeNs: st.mtimeNs,
      dev: st.dev,
      inode: st.ino,
      ctimeNs: st.ctimeNs,
    };
    switch (type) {
      case 'symlink':
        return { ...common, type, linkTarget: readlinkSync(abs) };
      case 'char':
      case 'block':
        return { ...common, type, devMajor: devMajor(st.rdev), devMinor: devMinor(st.rdev) };
      case 'file': {
        if (st.nlink > 1n) {
          const key = `${st.dev}:${st.ino}`;
          const first = seen.get(key);
          if (first !== undefined) return { ...common, type: 'hardlink', linkTarget: first };
          seen.set(key, rel);
        }
        return { ...common, type };
      }
      case 'dir':
      case 'fifo':
      case 'hardlink':
        return { ...common, type };
    }
  };

  async function* walkDir(rel: string, visible: boolean): AsyncGenerator<ContextEntry> {
    options.signal?.throwIfAborted();
    let dirents: Dirent[];
    try {
      dirents = readdirSync(rel === '' ? base : `${base}/${rel}`, { withFileTypes: true });
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') return;
      // fsutil ignores a permission error on a directory that is not sent anyway.
      if (code === 'EACCES' && !visible) return;
      throw new LocalSourceError('local/read-failed', `readdir ${rel || '.'}: ${(err as Error).message}`, rel, { cause: err });
    }
    dirents.sort((a, b) => compareNames(a.name, b.name));
    for (const d of dirents) {
      if (d.isSocket()) continue;
      if (++sinceTurn >= ENTRIES_PER_TURN) {
        sinceTurn = 0;
        await nextTick();
        options.signal?.throwIfAborted();
      }
      const path = rel === '' ? d.name : `${rel}/${d.name}`;
      const isDir = d.isDirectory();
      const r = filter.visit(path, isDir);
      if (r.action === 'skip-dir') continue;
      if (r.action === 'keep') {
        for (const parent of r.parents) {
          const e = entryOf(parent);
          if (e !== undefined) yield e;
        }
        const e = entryOf(path);
        if (e !== undefined) yield e;
      }
      if (isDir) yield* walkDir(path, r.action === 'keep');
    }
  }

  yield* walkDir('', true);
}

/** Collects a walk into an array (entries in walk order). */
export async function listContext(root: string, options: WalkContextOptions = {}): Promise<ContextEntry[]> {
  const out: ContextEntry[] = [];
  for await (const e of walkContext(root, options)) out.push(e);
  return out;
}
