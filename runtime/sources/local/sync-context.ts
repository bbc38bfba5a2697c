import { chmodSync, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync, utimesSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { copyFileContent, NotRegularFileError } from '../../ops/file/copy-file.js';
import { LocalSourceError } from './local-error.js';
import { compareNames } from './local-path.js';
import { devMajor, devMinor, resolveContextRoot, walkContext } from './walk-context.js';
import type { ContextEntry, ContextEntryType, WalkContextOptions } from './walk-context.js';

/** Options of syncContext: the walk's (what is sent) and whether to set owners. */
export interface SyncContextOptions extends WalkContextOptions {
  /** Set each entry's uid/gid (default: only when running as root, since others cannot chown). */
  readonly chown?: boolean;
}

/** What a sync did, by path (relative, walk order). */
export interface SyncResult {
  /** Files whose content was written, links and special files (re)created. */
  readonly written: readonly string[];
  /** Entries already up to date (files: same size and mtime), at most their metadata fixed. */
  readonly unchanged: readonly string[];
  /** Entries of the destination that the context no longer has, removed. */
  readonly removed: readonly string[];
  /** Devices that could not be created without root. */
  readonly skipped: readonly string[];
}

// Node sets times from a double of seconds (~240 ns of precision at today's epochs) and libuv
// then truncates them to whole microseconds: a copy's mtime can be up to ~1.3 µs off its
// source's. It is "the same" within this much (a slack of 1 µs made unchanged files look
// edited now and then).
const MTIME_SLACK_NS = 2000n;
// Entries are written with synchronous syscalls: on a context of small files a thread-pool
// round trip per call cost ~10x the call (a 20,000-file context took 10 s to sync). The event
// loop gets a turn after this many entries, so progress and cancellation still flow.
const ENTRIES_PER_TURN = 256;

function diskType(st: BigIntStats): ContextEntryType | 'other' {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'other';
}

function sameKind(entry: ContextEntry, st: BigIntStats): boolean {
  const t = diskType(st);
  return entry.type === 'hardlink' ? t === 'file' : t === entry.type;
}

// Whole seconds and the fraction converted apart, so the double is the nearest to the exact time.
function seconds(ns: bigint): number {
  return Number(ns / 1_000_000_000n) + Number(ns % 1_000_000_000n) / 1e9;
}

/** The destination's current tree, lstat'ed, without following anything. */
function scanDestination(dest: string, rel = '', out = new Map<string, BigIntStats>()): Map<string, BigIntStats> {
  const names = readdirSync(rel === '' ? dest : `${dest}/${rel}`);
  for (const name of names.sort(compareNames)) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = lstatSync(`${dest}/${path}`, { bigint: true });
    out.set(path, st);
    if (st.isDirectory()) scanDestination(dest, path, out);
  }
  return out;
}

// Owner, mode and time are set on the open descriptor (chown first: it clears setuid).
async function copyEntryFile(srcAbs: string, destAbs: string, e: ContextEntry, chown: boolean): Promise<void> {
  try {
    await copyFileContent(srcAbs, destAbs, {
      beforeClose: (fd) => {
        if (chown) fchownSync(fd, e.uid, e.gid);
        fchmodSync(fd, e.mode);
        futimesSync(fd, seconds(e.mtimeNs), seconds(e.mtimeNs));
      },
    });
  } catch (err) {
    if (err instanceof NotRegularFileError) throw new LocalSourceError('local/read-failed', `${e.path} is no longer a regular file`, e.path, { cause: err });
    throw err;
  }
}

async function makeSpecial(entry: ContextEntry, abs: string): Promise<void> {
  const { execa } = await import('execa');
  if (entry.type === 'fifo') {
    // Node has no mkfifo(2); coreutils' does the same call.
    await execa('mkfifo', ['-m', (entry.mode & 0o777).toString(8), abs]);
    return;
  }
  await execa('mknod', [abs, entry.type === 'char' ? 'c' : 'b', String(entry.devMajor ?? 0), String(entry.devMinor ?? 0)]);
}

/**
 * Copies a local context into `dest` (a writable snapshot directory), BuildKit's daemon side of
 * `local://` (fsutil's receiver and DiskWriter): `dest` ends up holding exactly the walked
 * entries, with their modes, times, symlinks as symlinks, hardlinks as hardlinks within the
 * copy, devices and fifos, and owners when `chown` (as root, by default). Syncing again into
 * the same `dest` is incremental: a file with the same size and mtime as its copy is not
 * rewritten, only its metadata fixed; entries the context no longer has are removed.
 *
 * Throws a LocalSourceError (`local/sync-failed`, or a walk's codes) with the cause.
 *
 * @example
 * const r = await syncContext('/home/me/app', snapshot.dir, { exclude: ['node_modules'] });
 * r.written // ['package.json', 'src', 'src/main.ts', …] the first time, [] when nothing changed
 */
export async function syncContext(root: string, dest: string, options: SyncContextOptions = {}): Promise<SyncResult> {
  const base = await resolveContextRoot(root);
  const chown = options.chown ?? process.getuid?.() === 0;
  const entries: ContextEntry[] = [];
  for await (const e of walkContext(base, options)) entries.push(e);
  const wanted = new Map(entries.map((e) => [e.path, e]));
  // How many names each copied file should have: a copy linked more (or less) than its source is rewritten.
  const links = new Map<string, bigint>();
  for (const e of entries) if (e.type === 'hardlink') links.set(e.linkTarget!, (links.get(e.linkTarget!) ?? 1n) + 1n);

  const result = { written: [] as string[], unchanged: [] as string[], removed: [] as string[], skipped: [] as string[] };
  const step = async <T>(rel: string, what: string, fn: () => T | Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LocalSourceError) throw err;
      throw new LocalSourceError('local/sync-failed', `${what} ${rel}: ${(err as Error).message}`, rel, { cause: err });
    }
  };

  mkdirSync(dest, { recursive: true });
  const existing = await step('.', 'scan', () => scanDestination(dest));

  // Remove what the context no longer has (or has as another kind of file), outermost first.
  let removedDir: string | undefined;
  for (const [path, st] of existing) {
    if (removedDir !== undefined && path.startsWith(`${removedDir}/`)) continue;
    const e = wanted.get(path);
    if (e !== undefined && sameKind(e, st)) continue;
    await step(path, 'remove', () => rm(`${dest}/${path}`, { recursive: true, force: true }));
    existing.delete(path);
    if (e === undefined) result.removed.push(path);
    if (st.isDirectory()) removedDir = path;
  }
  for (const path of [...existing.keys()]) {
    if (!wanted.has(path)) existing.delete(path);
  }

  const setOwner = (abs: string, e: ContextEntry): void => {
    if (chown) lchownSync(abs, e.uid, e.gid);
  };
  const dirs: ContextEntry[] = [];
  let sinceTurn = 0;
  for (const e of entries) {
    if (++sinceTurn >= ENTRIES_PER_TURN) {
      sinceTurn = 0;
      await nextTurn();
    }
    options.signal?.throwIfAborted();
    const abs = `${dest}/${e.path}`;
    const old = existing.get(e.path);
    await step(e.path, `write ${e.type}`, async () => {
      switch (e.type) {
        case 'dir':
          // Kept writable until its children are in; its mode and times are set last.
          if (old === undefined) mkdirSync(abs, { mode: 0o700 });
          else if ((Number(old.mode) & 0o700) !== 0o700) chmodSync(abs, Number(old.mode & 0o7777n) | 0o700);
          dirs.push(e);
          (old === undefined ? result.written : result.unchanged).push(e.path);
          return;
        case 'file': {
          const fresh = old === undefined || old.size !== BigInt(e.size) || old.nlink !== (links.get(e.path) ?? 1n) ||
            (old.mtimeNs > e.mtimeNs ? old.mtimeNs - e.mtimeNs : e.mtimeNs - old.mtimeNs) >= MTIME_SLACK_NS;
          if (fresh) {
            if (old !== undefined) unlinkSync(abs);
            await copyEntryFile(`${base}/${e.path}`, abs, e, chown);
            result.written.push(e.path);
            return;
          }
          result.unchanged.push(e.path);
          if (Number(old.mode & 0o7777n) === e.mode && (!chown || (Number(old.uid) === e.uid && Number(old.gid) === e.gid))) return;
          // chown clears setuid/setgid, so the mode goes after it.
          setOwner(abs, e);
          chmodSync(abs, e.mode);
          return;
        }
        case 'hardlink': {
          const target = `${dest}/${e.linkTarget!}`;
          const targetSt = lstatSync(target, { bigint: true });
          if (old !== undefined && old.ino === targetSt.ino && old.dev === targetSt.dev) {
            result.unchanged.push(e.path);
            return;
          }
          if (old !== undefined) unlinkSync(abs);
          linkSync(target, abs);
          result.written.push(e.path);
          return;
        }
        case 'symlink': {
          if (old !== undefined && readlinkSync(abs) === e.linkTarget) {
            result.unchanged.push(e.path);
          } else {
            if (old !== undefined) unlinkSync(abs);
            symlinkSync(e.linkTarget!, abs);
            result.written.push(e.path);
          }
          setOwner(abs, e);
          lutimesSync(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
          return;
        }
        case 'fifo':
        case 'char':
        case 'block': {
          const same = old !== undefined && (e.type === 'fifo' || (devMajor(old.rdev) === e.devMajor && devMinor(old.rdev) === e.devMinor));
          if (!same) {
            if (e.type !== 'fifo' && process.getuid?.() !== 0) {
              result.skipped.push(e.path);
              return;
            }
            if (old !== undefined) unlinkSync(abs);
            await makeSpecial(e, abs);
            result.written.push(e.path);
          } else {
            result.unchanged.push(e.path);
          }
          setOwner(abs, e);
          chmodSync(abs, e.mode);
          utimesSync(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
          return;
        }
      }
    });
  }

  // Directories last, innermost first: writing their children changed their mtimes.
  for (const e of dirs.reverse()) {
    const abs = `${dest}/${e.path}`;
    await step(e.path, 'set metadata of', () => {
      setOwner(abs, e);
      chmodSync(abs, e.mode);
      utimesSync(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
    });
  }
  return result;
}
