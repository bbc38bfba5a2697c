import { execFile } from 'node:child_process';
import { chmodSync, lchownSync, lutimesSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { promisify } from 'node:util';
import { KilnError } from '../../compiler/index.js';
import { writeXattrs } from './xattrs.js';

const run = promisify(execFile);

/** What a layer keeps of a file besides its content: owner, mode bits, mtime, xattrs. */
export interface FileMeta {
  readonly uid: number;
  readonly gid: number;
  /** Permission and special bits (`0o7777`). */
  readonly mode: number;
  readonly mtime: Date;
  readonly atime?: Date;
  readonly xattrs?: ReadonlyMap<string, Buffer>;
}

/** The metadata of a stat result. */
export function metaOf(st: Stats, xattrs?: ReadonlyMap<string, Buffer>): FileMeta {
  return { uid: st.uid, gid: st.gid, mode: st.mode & 0o7777, mtime: st.mtime, atime: st.atime, xattrs };
}

// Asked when needed, not as the module loads: kiln's start-up snapshot is built by one user and
// run by others.
const isRoot = (): boolean => process.getuid?.() === 0;

function tolerable(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return !isRoot() && (code === 'EPERM' || code === 'EINVAL');
}

/**
 * Applies metadata to a created path, without following a symlink. Owner
 * first: chown clears setuid/setgid, so the mode goes after it. As non-root,
 * an owner we may not give is left as is (a rootless unpack's usual compromise). `createdAs`:
 * the owner the path was just created with, when known; a matching owner is not set again (one
 * syscall of ~6 per entry of a tree copy).
 */
export async function applyMeta(path: string, meta: FileMeta, kind: 'symlink' | 'dir' | 'other', opts: { times?: boolean; createdAs?: { readonly uid: number; readonly gid: number } } = {}): Promise<void> {
  // Synchronous syscalls: tree copies and unpacks make these for every file (see copy-tree.ts).
  if (opts.createdAs?.uid !== meta.uid || opts.createdAs.gid !== meta.gid) {
    try {
      lchownSync(path, meta.uid, meta.gid);
    } catch (err) {
      if (!tolerable(err)) throw err;
    }
  }
  if (kind !== 'symlink') chmodSync(path, meta.mode);
  if (meta.xattrs) await writeXattrs(path, meta.xattrs);
  if (opts.times !== false) lutimesSync(path, meta.atime ?? meta.mtime, meta.mtime);
}

/**
 * Creates a device node or FIFO with mknod(1)/mkfifo(1): Node has no mknod.
 * Returns false when we may not (devices as non-root), so a rootless unpack skips them.
 */
export async function makeNode(path: string, kind: 'char' | 'block' | 'fifo', major = 0, minor = 0): Promise<boolean> {
  try {
    if (kind === 'fifo') await run('mkfifo', [path]);
    else await run('mknod', [path, kind === 'char' ? 'c' : 'b', String(major), String(minor)]);
    return true;
  } catch (err) {
    if (!isRoot() && kind !== 'fifo') return false;
    throw new KilnError('snapshot/mknod-failed', `cannot create ${kind} node ${path}`, { cause: err });
  }
}

/** Device numbers of a stat `rdev`, Linux encoding (glibc's gnu_dev_major/minor). */
export function deviceNumbers(rdev: number): { major: number; minor: number } {
  const r = BigInt(rdev);
  const major = Number(((r >> 8n) & 0xfffn) | ((r >> 32n) & ~0xfffn));
  const minor = Number((r & 0xffn) | ((r >> 12n) & ~0xffn));
  return { major, minor };
}

/** Byte-order comparison of names (Go's sort order, which BuildKit's layer tars follow). */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}
