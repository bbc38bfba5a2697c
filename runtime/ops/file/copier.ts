import type { BigIntStats } from 'node:fs';
import { chmodSync, linkSync, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { copyFileContent } from './copy-file.js';
import { patterns } from '../../../compiler/index.js';
import { FileOpError } from './file-op-error.js';
import { applyOwner, setTimes } from './fs-meta.js';
import type { Owner, Timestamp } from './fs-meta.js';
import type { ModeSet } from './mode-set.js';
import { copySpecialFile } from './special-file.js';

type MatchInfo = patterns.MatchInfo;

/** What a Copier applies to everything it copies (fsutil's `CopyInfo`, resolved). */
export interface CopierOptions {
  /** The owner of every copy; undefined keeps the source's. */
  readonly owner?: Owner;
  /** The time of every copy; undefined keeps the source's. */
  readonly time?: Timestamp;
  /** Exact permission bits for every copy (`--chmod=0640`); loses to `modeSet`. */
  readonly mode?: number;
  readonly modeSet?: ModeSet;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** Replace an existing destination of another type instead of failing (dirs still merge). */
  readonly alwaysReplace?: boolean;
  readonly signal?: AbortSignal;
  /** How a host path is spelled in an error: relative to its root, never the host's. */
  readonly show?: (hostPath: string) => string;
}

interface ParentDir {
  readonly src: string;
  readonly dst: string;
  copied: boolean;
}

// The copier makes synchronous syscalls (see fs-meta.ts) and gives the event loop a turn
// after this many entries; files above 1 MiB are copied off the main thread (copy-file.ts).
const ENTRIES_PER_TURN = 256;

// No exception for a missing path: building one cost more than the lstat, once per copied file.
function lstatOrNone(path: string): BigIntStats | undefined {
  return lstatSync(path, { bigint: true, throwIfNoEntry: false });
}

function matcher(kind: string, list: readonly string[] | undefined): patterns.PatternMatcher | undefined {
  if (list === undefined || list.length === 0) return undefined;
  try {
    return new patterns.PatternMatcher(list);
  } catch (err) {
    throw new FileOpError('bad-action', `invalid ${kind}: ${JSON.stringify(list)}`, undefined, { cause: err });
  }
}

/**
 * Copies one tree the way fsutil's `copier` does (`cp -a` semantics): symlinks as symlinks,
 * hard links within the copy as hard links, owners, modes and times from the source unless
 * overridden. Include/exclude patterns apply to paths below the copied root; a directory that
 * is not itself included is created only once something inside it is. One Copier per source,
 * as in fsutil: hard links are only kept within it.
 */
export class Copier {
  readonly #opts: CopierOptions;
  readonly #include: patterns.PatternMatcher | undefined;
  readonly #exclude: patterns.PatternMatcher | undefined;
  readonly #inodes = new Map<bigint, string>();
  readonly #parents: ParentDir[] = [];
  readonly #show: (hostPath: string) => string;
  #sinceTurn = 0;

  constructor(opts: CopierOptions) {
    this.#opts = opts;
    this.#show = opts.show ?? ((p) => p);
    this.#include = matcher('includepatterns', opts.include);
    this.#exclude = matcher('excludepatterns', opts.exclude);
  }

  /**
   * Copies host path `src` to host path `target` (both already resolved in their roots).
   * `rel` is the path below the copied root that patterns see ('' for the root itself);
   * `overwrite` is whether an existing directory takes the source's metadata.
   */
  async copy(src: string, rel: string, target: string, overwrite = false, inc = patterns.NO_MATCH_INFO, exc = patterns.NO_MATCH_INFO): Promise<void> {
    if (++this.#sinceTurn >= ENTRIES_PER_TURN) {
      this.#sinceTurn = 0;
      await nextTurn();
    }
    this.#opts.signal?.throwIfAborted();
    const st = lstatSync(src, { bigint: true });
    const existing = lstatOrNone(target);
    let include = true;
    let incInfo: MatchInfo = patterns.NO_MATCH_INFO;
    let excInfo: MatchInfo = patterns.NO_MATCH_INFO;
    if (rel !== '') {
      if (this.#include !== undefined) {
        const r = this.#include.matchesUsingParentResults(rel, inc);
        include = r.matched;
        incInfo = r.info;
      }
      if (this.#exclude !== undefined) {
        const r = this.#exclude.matchesUsingParentResults(rel, exc);
        excInfo = r.info;
        if (r.matched) include = false;
      }
    }
    if (include) {
      // Directories merge; anything else in the way goes, but only when asked to.
      if (this.#opts.alwaysReplace && existing !== undefined && !(st.isDirectory() && existing.isDirectory())) {
        await rm(target, { recursive: true, force: true });
      }
      await this.#createParentDirs(overwrite);
    }
    if (!st.isDirectory()) {
      if (!include) return;
      ensureEmptyFileTarget(target, this.#show);
    }
    let copyInfo = include;
    let restoreTime = false;
    if (st.isDirectory()) {
      const created = await this.#copyDirectory(src, rel, target, st, overwrite, include, incInfo, excInfo);
      // An existing directory keeps its metadata unless told otherwise, but gets its time back.
      if (!overwrite) {
        copyInfo = created;
        restoreTime = !created;
      }
    } else if (st.isFile()) {
      const linked = st.nlink > 1n ? this.#inodes.get(st.ino) : undefined;
      if (st.nlink > 1n && linked === undefined) this.#inodes.set(st.ino, target);
      if (linked !== undefined) linkSync(linked, target);
      // Created with O_EXCL: never writes through a symlink put there meanwhile.
      else await copyFileContent(src, target);
    } else if (st.isSymbolicLink()) {
      symlinkSync(readlinkSync(src), target);
    } else {
      await copySpecialFile(target, st);
    }
    if (copyInfo) this.#copyFileInfo(st, target);
    else if (restoreTime && existing !== undefined) this.#copyTimes(st, target);
  }

  async #copyDirectory(src: string, rel: string, dst: string, st: BigIntStats, overwrite: boolean, include: boolean, inc: MatchInfo, exc: MatchInfo): Promise<boolean> {
    let created = false;
    const parent: ParentDir = { src, dst, copied: false };
    // A directory that is not included itself waits until one of its children is (`a/*/c`).
    if (include) {
      created = copyDirectoryOnly(dst, st, overwrite, this.#show);
      parent.copied = true;
    }
    this.#parents.push(parent);
    try {
      const names = readdirSync(src).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
      for (const name of names) {
        await this.copy(`${src}/${name}`, rel === '' ? name : `${rel}/${name}`, `${dst}/${name}`, true, inc, exc);
      }
    } finally {
      this.#parents.pop();
    }
    return created;
  }

  async #createParentDirs(overwrite: boolean): Promise<void> {
    for (const parent of this.#parents) {
      if (parent.copied) continue;
      const st = lstatSync(parent.src, { bigint: true });
      if (!st.isDirectory()) throw new FileOpError('not-dir', `${this.#show(parent.src)} is not a directory`);
      if (copyDirectoryOnly(parent.dst, st, overwrite, this.#show)) this.#copyFileInfo(st, parent.dst);
      parent.copied = true;
    }
  }

  #copyFileInfo(st: BigIntStats, target: string): void {
    applyOwner(target, this.#opts.owner, { uid: Number(st.uid), gid: Number(st.gid) });
    const perm = Number(st.mode) & 0o7777;
    const mode = this.#opts.modeSet !== undefined ? this.#opts.modeSet.apply(perm, st.isDirectory())
      : this.#opts.mode !== undefined ? this.#opts.mode & 0o7777 : perm;
    // Linux has no lchmod: a symlink's mode is always 0777.
    if (!st.isSymbolicLink()) chmodSync(target, mode);
    this.#copyTimes(st, target);
  }

  #copyTimes(st: BigIntStats, target: string): void {
    if (this.#opts.time !== undefined) return setTimes(target, this.#opts.time);
    const ts = (ns: bigint): Timestamp => ({ sec: Number(ns / 1_000_000_000n), nsec: Number(ns % 1_000_000_000n) });
    setTimes(target, ts(st.atimeNs), ts(st.mtimeNs));
  }
}

/** Makes `dst` a directory for a copy of one with `st`; whether it had to be created. */
function copyDirectoryOnly(dst: string, st: BigIntStats, overwrite: boolean, show: (p: string) => string): boolean {
  const existing = lstatOrNone(dst);
  if (existing === undefined) {
    // Owner-writable until copyFileInfo sets the real mode, after the children are in.
    mkdirSync(dst, (Number(st.mode) & 0o777) | 0o700);
    return true;
  }
  if (!existing.isDirectory()) throw new FileOpError('not-dir', `cannot copy to non-directory: ${show(dst)}`, show(dst));
  if (overwrite) chmodSync(dst, Number(st.mode) & 0o7777);
  return false;
}

/** Clears the way for a non-directory: a file or symlink there is removed, a directory is an error. */
function ensureEmptyFileTarget(dst: string, show: (p: string) => string): void {
  const existing = lstatOrNone(dst);
  if (existing === undefined) return;
  if (existing.isDirectory()) throw new FileOpError('is-dir', `cannot replace to directory ${show(dst)} with file`, show(dst));
  unlinkSync(dst);
}
