import { constants } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, open, readdir, readlink, rm, symlink, unlink, utimes } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { execa } from 'execa';
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

// Node sets times from a double of seconds, which keeps ~240 ns at today's epochs; a copy's
// mtime is "the same" when within this much of the source's.
const MTIME_SLACK_NS = 1000n;
const COPY_CHUNK = 1 << 20;

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
async function scanDestination(dest: string, rel = '', out = new Map<string, BigIntStats>()): Promise<Map<string, BigIntStats>> {
  const names = await readdir(rel === '' ? dest : `${dest}/${rel}`);
  for (const name of names.sort(compareNames)) {
    const path = rel === '' ? name : `${rel}/${name}`;
    const st = await lstat(`${dest}/${path}`, { bigint: true });
    out.set(path, st);
    if (st.isDirectory()) await scanDestination(dest, path, out);
  }
  return out;
}

// Copies a regular file without following a symlink swapped in since the walk: the source
// is opened O_NOFOLLOW and must still be a regular file, the destination is created O_EXCL.
async function copyFileContent(srcAbs: string, destAbs: string, rel: string): Promise<void> {
  let src: FileHandle | undefined;
  let dst: FileHandle | undefined;
  try {
    src = await open(srcAbs, constants.O_RDONLY | constants.O_NOFOLLOW);
    if (!(await src.stat()).isFile()) throw new LocalSourceError('local/read-failed', `${rel} is no longer a regular file`, rel);
    dst = await open(destAbs, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
    const buf = Buffer.allocUnsafe(COPY_CHUNK);
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, COPY_CHUNK, null);
      if (bytesRead === 0) break;
      let off = 0;
      while (off < bytesRead) off += (await dst.write(buf, off, bytesRead - off)).bytesWritten;
    }
  } finally {
    await src?.close();
    await dst?.close();
  }
}

async function makeSpecial(entry: ContextEntry, abs: string): Promise<void> {
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
  const step = async <T>(rel: string, what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (err instanceof LocalSourceError) throw err;
      throw new LocalSourceError('local/sync-failed', `${what} ${rel}: ${(err as Error).message}`, rel, { cause: err });
    }
  };

  await mkdir(dest, { recursive: true });
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

  const setOwner = async (abs: string, e: ContextEntry): Promise<void> => {
    if (chown) await lchown(abs, e.uid, e.gid);
  };
  const dirs: ContextEntry[] = [];
  for (const e of entries) {
    options.signal?.throwIfAborted();
    const abs = `${dest}/${e.path}`;
    const old = existing.get(e.path);
    await step(e.path, `write ${e.type}`, async () => {
      switch (e.type) {
        case 'dir':
          // Kept writable until its children are in; its mode and times are set last.
          if (old === undefined) await mkdir(abs, { mode: 0o700 });
          else if ((Number(old.mode) & 0o700) !== 0o700) await chmod(abs, Number(old.mode & 0o7777n) | 0o700);
          dirs.push(e);
          (old === undefined ? result.written : result.unchanged).push(e.path);
          return;
        case 'file': {
          const fresh = old === undefined || old.size !== BigInt(e.size) || old.nlink !== (links.get(e.path) ?? 1n) ||
            (old.mtimeNs > e.mtimeNs ? old.mtimeNs - e.mtimeNs : e.mtimeNs - old.mtimeNs) >= MTIME_SLACK_NS;
          if (fresh) {
            if (old !== undefined) await unlink(abs);
            await copyFileContent(`${base}/${e.path}`, abs, e.path);
            result.written.push(e.path);
          } else {
            result.unchanged.push(e.path);
            if (Number(old.mode & 0o7777n) === e.mode && (!chown || (Number(old.uid) === e.uid && Number(old.gid) === e.gid))) return;
          }
          // chown clears setuid/setgid, so the mode goes after it.
          await setOwner(abs, e);
          await chmod(abs, e.mode);
          if (fresh) await utimes(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
          return;
        }
        case 'hardlink': {
          const target = `${dest}/${e.linkTarget!}`;
          const targetSt = await lstat(target, { bigint: true });
          if (old !== undefined && old.ino === targetSt.ino && old.dev === targetSt.dev) {
            result.unchanged.push(e.path);
            return;
          }
          if (old !== undefined) await unlink(abs);
          await link(target, abs);
          result.written.push(e.path);
          return;
        }
        case 'symlink': {
          if (old !== undefined && (await readlink(abs)) === e.linkTarget) {
            result.unchanged.push(e.path);
          } else {
            if (old !== undefined) await unlink(abs);
            await symlink(e.linkTarget!, abs);
            result.written.push(e.path);
          }
          await setOwner(abs, e);
          await lutimes(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
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
            if (old !== undefined) await unlink(abs);
            await makeSpecial(e, abs);
            result.written.push(e.path);
          } else {
            result.unchanged.push(e.path);
          }
          await setOwner(abs, e);
          await chmod(abs, e.mode);
          await utimes(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
          return;
        }
      }
    });
  }

  // Directories last, innermost first: writing their children changed their mtimes.
  for (const e of dirs.reverse()) {
    const abs = `${dest}/${e.path}`;
    await step(e.path, 'set metadata of', async () => {
      await setOwner(abs, e);
      await chmod(abs, e.mode);
      await utimes(abs, seconds(e.mtimeNs), seconds(e.mtimeNs));
    });
  }
  return result;
}
