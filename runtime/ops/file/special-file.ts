import { execFile } from 'node:child_process';
import type { BigIntStats } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { FileOpError } from './file-op-error.js';

const run = promisify(execFile);

/**
 * Creates a FIFO (`p`) or device node (`c`, `b`) at `target` with `perm`. Node has no
 * `mknod(2)`, so this runs coreutils' `mknod`; devices need root.
 */
export async function makeNode(target: string, kind: 'p' | 'c' | 'b', perm: number, major: number | bigint, minor: number | bigint): Promise<void> {
  const mode = (perm & 0o7777).toString(8);
  if (kind === 'p') {
    await run('mknod', ['-m', mode, '--', target, 'p']);
    return;
  }
  if (process.getuid?.() !== 0) throw new FileOpError('unsupported', `cannot create a device node without root`);
  await run('mknod', ['-m', mode, '--', target, kind, String(major), String(minor)]);
}

/**
 * Recreates a FIFO, socket or device node at `target` (fsutil `copyDevice`). A socket becomes
 * an empty regular file, as fsutil's mknod with the socket type bit cleared makes it.
 */
export async function copySpecialFile(target: string, st: BigIntStats): Promise<void> {
  const perm = Number(st.mode) & 0o7777;
  if (st.isSocket()) {
    await writeFile(target, '', { flag: 'wx', mode: 0o600 });
  } else if (st.isFIFO()) {
    await makeNode(target, 'p', perm, 0, 0);
  } else if (st.isCharacterDevice() || st.isBlockDevice()) {
    const rdev = st.rdev;
    // glibc's major()/minor() for a 64-bit dev_t.
    const major = ((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn);
    const minor = (rdev & 0xffn) | ((rdev >> 12n) & ~0xffn);
    await makeNode(target, st.isCharacterDevice() ? 'c' : 'b', perm, major, minor);
  } else {
    throw new FileOpError('unsupported', 'unsupported file type');
  }
}
