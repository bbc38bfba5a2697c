import { linkSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, symlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { copyFileContent } from '../ops/file/copy-file.js';
import { join } from 'node:path';
import { applyMeta, byteOrder, deviceNumbers, makeNode, metaOf } from './fs-meta.js';
import { isOpaqueDir, readXattrs } from './xattrs.js';

/** How `copyTree` reads its source. */
export interface CopyTreeOptions {
  /**
   * Read the source as an overlay upper dir: whiteouts (char 0/0) delete what
   * is below, opaque directories hide it. Off for plain trees.
   */
  readonly overlay?: boolean;
  readonly signal?: AbortSignal;
  /** Names at the top of `src` to leave out (a checkout's `.git`). */
  readonly skip?: readonly string[];
  /** Entries copied between turns of the event loop (256): fewer for a copy made while other work runs. */
  readonly entriesPerTurn?: number;
}

// Synchronous syscalls, the event loop given a turn every ENTRIES_PER_TURN entries: a
// thread-pool round trip per call cost ~10x the call on trees of small files.
const ENTRIES_PER_TURN = 256;

interface Ctx {
  sinceTurn: number;
  readonly perTurn: number;
  readonly overlay: boolean;
  readonly signal: AbortSignal | undefined;
  /** First copy of each multiply-linked inode, so later names become hard links again. */
  readonly links: Map<string, string>;
  /** Directory times are set last, children having touched them. */
  readonly dirs: { path: string; st: Stats }[];
  /** Who a new entry belongs to, in a directory without the setgid bit (see applyMeta's createdAs). */
  readonly creator: { readonly uid: number; readonly gid: number } | undefined;
}

const S_ISGID = 0o2000;

/**
 * Copies the tree `src` onto `dst` (created if missing, merged if present: a
 * later tree wins), keeping owners, modes, times, xattrs, symlinks, hard links
 * (within `src`) and device nodes. Sockets are skipped, as in a layer tar.
 */
export async function copyTree(src: string, dst: string, opts: CopyTreeOptions = {}): Promise<void> {
  const creator = process.geteuid && process.getegid ? { uid: process.geteuid(), gid: process.getegid() } : undefined;
  const ctx: Ctx = { sinceTurn: 0, perTurn: opts.entriesPerTurn ?? ENTRIES_PER_TURN, overlay: opts.overlay ?? false, signal: opts.signal, links: new Map(), dirs: [], creator };
  const st = lstatSync(src);
  const fresh = lstatSync(dst, { throwIfNoEntry: false }) === undefined;
  mkdirSync(dst, { recursive: true });
  // A new entry takes its directory's group where that directory has the setgid bit.
  const setgid = (lstatSync(dst).mode & S_ISGID) !== 0;
  await copyDir(src, dst, ctx, fresh, setgid, new Set(opts.skip ?? []));
  await applyMeta(dst, metaOf(st, await readXattrs(src)), 'dir', { times: false });
  ctx.dirs.push({ path: dst, st });
  // Owner and mode are set already; only the times are left to put back.
  for (const d of ctx.dirs.reverse()) lutimesSync(d.path, d.st.atime, d.st.mtime);
}

/** Empties a directory, keeping the directory itself. */
export async function clearDir(dir: string, keep?: ReadonlySet<string>): Promise<void> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!keep?.has(p)) await rm(p, { recursive: true, force: true });
  }
}

/**
 * Copies the entries of `src` into `dst`; `fresh` when this copy just created `dst` (nothing to
 * replace in it), `setgid` when `dst` has the setgid bit now (its new entries take its group).
 */
async function copyDir(src: string, dst: string, ctx: Ctx, fresh: boolean, setgid: boolean, skip?: ReadonlySet<string>): Promise<void> {
  const names = readdirSync(src).sort(byteOrder);
  for (const name of names) {
    if (skip?.has(name)) continue;
    if (++ctx.sinceTurn >= ctx.perTurn) {
      ctx.sinceTurn = 0;
      await nextTurn();
    }
    ctx.signal?.throwIfAborted();
    const from = join(src, name);
    const to = join(dst, name);
    const st = lstatSync(from);
    if (ctx.overlay && st.isCharacterDevice() && st.rdev === 0) {
      if (!fresh) await rm(to, { recursive: true, force: true });
      continue;
    }
    await copyEntry(from, to, st, ctx, fresh, setgid);
  }
}

async function copyEntry(from: string, to: string, st: Stats, ctx: Ctx, fresh: boolean, setgid: boolean): Promise<void> {
  // A lookup of a missing path is the slow part of a copy into an empty tree: skipped there.
  const existing = fresh ? undefined : lstatSync(to, { throwIfNoEntry: false });
  const createdAs = setgid ? undefined : ctx.creator;
  if (st.isDirectory()) {
    const kept = existing?.isDirectory() === true;
    if (existing && !kept) await rm(to, { recursive: true, force: true });
    if (!kept) mkdirSync(to);
    else if (ctx.overlay && (await isOpaqueDir(from))) await clearDir(to);
    // A new directory inherits the setgid bit; its own mode is set after its entries.
    await copyDir(from, to, ctx, !kept, kept ? (existing.mode & S_ISGID) !== 0 : setgid);
    await applyMeta(to, metaOf(st, await readXattrs(from)), 'dir', { times: false, ...(!kept && createdAs ? { createdAs } : {}) });
    ctx.dirs.push({ path: to, st });
    return;
  }
  if (existing) await rm(to, { recursive: true, force: true });
  if (st.nlink > 1) {
    const key = `${st.dev}:${st.ino}`;
    const first = ctx.links.get(key);
    if (first !== undefined) {
      linkSync(first, to);
      return;
    }
    ctx.links.set(key, to);
  }
  let kind: 'symlink' | 'other' = 'other';
  if (st.isFile()) {
    await copyFileContent(from, to);
  } else if (st.isSymbolicLink()) {
    symlinkSync(readlinkSync(from), to);
    kind = 'symlink';
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const { major, minor } = deviceNumbers(st.rdev);
    if (!(await makeNode(to, st.isCharacterDevice() ? 'char' : 'block', major, minor))) return;
  } else if (st.isFIFO()) await makeNode(to, 'fifo');
  else return;
  await applyMeta(to, metaOf(st, await readXattrs(from)), kind, createdAs ? { createdAs } : {});
}
