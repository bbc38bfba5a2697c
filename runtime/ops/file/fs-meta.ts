import { chmodSync, lchownSync, lstatSync, lutimesSync, mkdirSync } from 'node:fs';
import { posix } from 'node:path';
import type { Int64 } from '../../../compiler/index.js';
import { FileOpError, isErrno } from './file-op-error.js';

/** A numeric owner, as BuildKit's `copy.User` (`UID`, `GID`). */
export interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/** A point in time with nanoseconds, as LLB's `timestamp` fields carry it. */
export interface Timestamp {
  readonly sec: number;
  readonly nsec: number;
}

// Asked when needed, not as the module loads: kiln's start-up snapshot is built by one user and
// run by others.
const isRoot = (): boolean => process.getuid?.() === 0;

/**
 * The time an LLB `timestamp` stands for (BuildKit's `timestampToTime`): -1 is "no time given",
 * anything else nanoseconds since the epoch. Proto3 drops zero, so a missing field is 0, the
 * epoch, as it is for Go; kiln's builder always writes -1 when no time is set.
 */
export function timestampOf(ts: Int64 | undefined): Timestamp | undefined {
  const ns = BigInt(ts ?? 0);
  if (ns === -1n) return undefined;
  // Go's time.Unix(ts/1e9, ts%1e9): division truncates toward zero, a negative rest is normalised.
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    sec -= 1n;
    nsec += 1_000_000_000n;
  }
  return { sec: Number(sec), nsec: Number(nsec) };
}

// These helpers make synchronous syscalls: a copy of many small files makes several per file,
// and a thread-pool round trip per call cost ~10x the call itself (a 20,000-file COPY went
// from 8.8 s to about 1 s). Callers that loop give the event loop a turn now and then.

/**
 * Sets both times of `path` without following a final symlink (`UtimesNanoAt` with
 * `AT_SYMLINK_NOFOLLOW`). Node takes seconds as a double, so below a microsecond the
 * nanoseconds are rounded.
 */
export function setTimes(path: string, atime: Timestamp, mtime: Timestamp = atime): void {
  lutimesSync(path, atime.sec + atime.nsec / 1e9, mtime.sec + mtime.nsec / 1e9);
}

/**
 * Changes the owner of `path` (not following a symlink) to `explicit`, or else to `kept` (the
 * source's owner, which fsutil re-applies to every copy). Nothing to apply: nothing done.
 * Unprivileged, a kept owner that is not ours cannot be applied and is left as is, as a
 * rootless daemon would; an explicit one is an error.
 */
export function applyOwner(path: string, explicit: Owner | undefined, kept?: Owner): void {
  const owner = explicit ?? kept;
  if (owner === undefined) return;
  try {
    lchownSync(path, owner.uid, owner.gid);
  } catch (err) {
    if (explicit === undefined && !isRoot() && isErrno(err, 'EPERM', 'EINVAL')) return;
    throw err;
  }
}

/**
 * fsutil's `MkdirAll` on a host path that resolveInRoot produced: creates the missing
 * directories with `perm` (exactly: buildkitd runs with umask 0), each owned by `owner` when
 * given and timed `time` when given, and returns them, outermost first, so the caller can
 * restore their times once it has written into them. An existing non-directory is `not-dir`.
 */
export async function mkdirAll(path: string, perm: number, owner: Owner | undefined, time: Timestamp | undefined, shown = path): Promise<string[]> {
  // lstat, not stat: a resolved path has no symlinks; one appearing now must not be followed.
  let st;
  try {
    st = lstatSync(path);
  } catch (err) {
    if (!isErrno(err, 'ENOENT')) throw err;
  }
  if (st !== undefined) {
    if (st.isDirectory()) return [];
    throw new FileOpError('not-dir', `mkdir ${shown}: not a directory`, shown);
  }
  const parent = posix.dirname(path);
  const created = parent !== path ? await mkdirAll(parent, perm, owner, time, posix.dirname(shown)) : [];
  try {
    mkdirSync(path, perm & 0o777);
  } catch (err) {
    // Somebody else made it meanwhile: fine if it is a directory (Go's MkdirAll does the same).
    if (isErrno(err, 'EEXIST') && lstatSync(path).isDirectory()) return created;
    throw err;
  }
  chmodSync(path, perm & 0o777);
  created.push(path);
  applyOwner(path, owner);
  if (time !== undefined) setTimes(path, time);
  return created;
}

/** fsutil's `fixCreatedParentDirs`: writing into new directories moved their times; set them back. */
export async function fixCreatedDirs(dirs: readonly string[], time: Timestamp | undefined): Promise<void> {
  if (time === undefined) return;
  for (const d of [...dirs].reverse()) setTimes(d, time);
}

/** The permission bits with setuid, setgid and sticky of a `mode_t`. */
export function permOf(mode: number): number {
  return mode & 0o7777;
}
