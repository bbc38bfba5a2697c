import { createHash, randomBytes } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { BigIntStats } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { dirname, join } from 'node:path';

/**
 * What a local export wrote, recorded so the next export of the same result to the same
 * directory can tell the directory is still exactly that and skip the copy (a no-op rebuild's
 * export was most of its time, as BuildKit's local export only sends what changed).
 *
 * The record lists every path of the tree with its inode and ctime. ctime cannot be set from
 * user space: writing, truncating, chmod, chown, xattrs, renaming or linking an entry, and adding
 * or removing a directory's entries, all move it to the kernel's clock. So a tree whose paths all
 * keep their inode and ctime is the tree as exported. The kernel's file clock is coarse (a tick of
 * some ms), so a change in the tick the record was made could keep a ctime: the record is only
 * written once the clock, read from a file made on the destination's own file system, has moved
 * past every ctime in it.
 */
export interface ExportRecordRef {
  /** The record file, under the state root. */
  readonly file: string;
  /** The exported result: an immutable snapshot's id. */
  readonly result: string;
}

const FORMAT = 'kiln-local-export-v1';

interface RecordFile {
  readonly format: string;
  readonly result: string;
  readonly dest: string;
  /** Path (relative, '' for the directory itself), inode, ctime in ns. */
  readonly entries: readonly (readonly [string, string, string])[];
}

/** The record file for exports of `dest` from the state root `root`. */
export function exportRecordFile(root: string, dest: string): string {
  return join(root, 'exports', `${createHash('sha256').update(dest).digest('hex')}.json`);
}

/** Whether `dest` still holds, untouched, what a recorded export of `result` wrote there. */
export function unchangedSinceExport(ref: ExportRecordRef, dest: string): boolean {
  let record: RecordFile;
  try {
    record = JSON.parse(readFileSync(ref.file, 'utf8')) as RecordFile;
  } catch {
    return false;
  }
  if (record.format !== FORMAT || record.result !== ref.result || record.dest !== dest) return false;
  for (const [path, ino, ctime] of record.entries) {
    const st = lstatSync(join(dest, path), { bigint: true, throwIfNoEntry: false });
    if (!st || String(st.ino) !== ino || String(st.ctimeNs) !== ctime) return false;
  }
  return true;
}

/** Forgets the record (before an export replaces the directory). */
export function forgetExport(ref: ExportRecordRef): void {
  rmSync(ref.file, { force: true });
}

/**
 * Records what the export of `ref.result` left in `dest`, the directory with inode `ino`. Nothing
 * is recorded when `dest` is another directory by the end (another export swapped its own in).
 */
export async function recordExport(ref: ExportRecordRef, dest: string, ino: bigint, signal?: AbortSignal): Promise<void> {
  const entries: [string, string, string][] = [];
  let newest = -1n;
  const walk = (rel: string): void => {
    const st = lstatSync(join(dest, rel), { bigint: true });
    entries.push([rel, String(st.ino), String(st.ctimeNs)]);
    if (st.ctimeNs > newest) newest = st.ctimeNs;
    if (st.isDirectory()) for (const name of readdirSync(join(dest, rel)).sort()) walk(rel === '' ? name : `${rel}/${name}`);
  };
  walk('');
  if (entries[0]![1] !== String(ino)) return;
  await waitForClockPast(newest, dirname(dest), signal);
  if (lstatSync(dest, { bigint: true }).ino !== ino) return;
  await mkdir(dirname(ref.file), { recursive: true });
  const tmp = `${ref.file}.${randomBytes(4).toString('hex')}.tmp`;
  const record: RecordFile = { format: FORMAT, result: ref.result, dest, entries };
  writeFileSync(tmp, JSON.stringify(record));
  renameSync(tmp, ref.file);
}

/** Waits until a file made in `dir` gets a ctime later than `ns` (a few ms at most). */
async function waitForClockPast(ns: bigint, dir: string, signal?: AbortSignal): Promise<void> {
  for (;;) {
    const probe = join(dir, `.kiln-clock-${randomBytes(6).toString('hex')}`);
    let st: BigIntStats;
    try {
      closeSync(openSync(probe, 'wx'));
      st = lstatSync(probe, { bigint: true });
    } finally {
      rmSync(probe, { force: true });
    }
    if (st.ctimeNs > ns) return;
    await sleep(2, undefined, signal ? { signal } : {});
  }
}
