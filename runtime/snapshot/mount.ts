import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError } from '../../compiler/index.js';
import { runCommand } from './command-shell.js';
import { MNT_DETACH, MS_RDONLY, mountSyscalls } from './mount-syscalls.js';
import type { SyscallResult } from './mount-syscalls.js';

/**
 * The kernel copies legacy mount(2) data into one page and fails beyond it.
 * We keep a margin below 4096 for options mount(8) or an LSM may add (SELinux
 * `context=`), as Docker's overlay2 does with `pageSize - 1` and a check.
 */
export const MOUNT_DATA_LIMIT = 3840;

/** Overlayfs refuses more lower layers than this (OVL_MAX_STACK). */
export const OVERLAY_MAX_LOWERS = 500;

/** An overlay mount's layers. Paths may be relative to `cwd` (how long chains fit in one page). */
export interface OverlayMount {
  /** Lower layers, topmost first (overlayfs' order). */
  readonly lowers: readonly string[];
  readonly upper?: string;
  readonly work?: string;
  /** The directory the mount is made from; the kernel resolves relative layer paths from it. */
  readonly cwd: string;
  /**
   * With an upper: overlayfs' `volatile` (Linux 5.10+), no sync of the upper file system, not on
   * fsync in the container nor at unmount (which otherwise flushes the whole file system: ~5-15 ms
   * a step). Kernels without it get a plain mount. Snapshots are made durable once per build instead.
   */
  readonly volatile?: boolean;
}

/**
 * The `-o` data of an overlay mount. `index=off` and `redirect_dir=off` keep
 * upper dirs diffable (no rename redirects, no hard-link index), as Docker's
 * overlay2 and containerd expect of a layer.
 */
export function overlayOptions(m: OverlayMount): string {
  const opts = [`lowerdir=${m.lowers.join(':')}`];
  if (m.upper !== undefined && m.work !== undefined) {
    opts.push(`upperdir=${m.upper}`, `workdir=${m.work}`);
    if (m.volatile) opts.push('volatile');
  }
  opts.push('index=off', 'redirect_dir=off');
  return opts.join(',');
}

/**
 * Mounts an overlay at `target` (absolute); read-only when there is no upper. The call is made by
 * kiln's mount helper (see mount-syscalls.ts), or by mount(8) where there is none.
 */
export async function mountOverlay(target: string, m: OverlayMount): Promise<void> {
  const volatile = m.volatile === true && m.upper !== undefined && !volatileRefused;
  try {
    await mountOnce(target, { ...m, volatile });
  } catch (err) {
    if (!volatile) throw err;
    // An older kernel refuses the option: plain mounts from now on.
    await mountOnce(target, { ...m, volatile: false });
    volatileRefused = true;
  }
}

// Set once a kernel refused `volatile` (its state is run time's, never the start-up snapshot's:
// nothing mounts while the snapshot is made).
let volatileRefused = false;

async function mountOnce(target: string, m: OverlayMount): Promise<void> {
  const data = overlayOptions(m);
  if (data.length > MOUNT_DATA_LIMIT) throw new KilnError('snapshot/mount-data-too-long', `overlay mount data for ${target} is ${data.length} bytes (limit ${MOUNT_DATA_LIMIT})`);
  const readonly = m.upper === undefined;
  const r = await syscallOrCommand(mountSyscalls().mount(m.cwd, 'overlay', target, 'overlay', readonly ? MS_RDONLY : 0, data),
    'mount', ['-t', 'overlay', 'overlay', '-o', readonly ? `ro,${data}` : data, target], m.cwd);
  if (!r.ok) throw new KilnError('snapshot/mount-failed', `mount overlay on ${target} failed: ${r.message}`);
}

/**
 * A call to kiln's mount helper, or, where there is none (see mount-syscalls.ts), the command
 * that does the same: whether it worked, and what failed.
 */
async function syscallOrCommand(direct: Promise<SyscallResult | undefined>, cmd: string, args: readonly string[], cwd?: string): Promise<{ ok: boolean; message: string }> {
  const d = await direct;
  if (d) return { ok: d.errno === 0, message: d.message };
  const r = await runCommand(cmd, args, cwd);
  return { ok: r.exitCode === 0, message: r.output.trim() || `exit ${String(r.exitCode)}` };
}

/** Writes the data of the file system holding `path` to disk (syncfs(2); `sync -f` without the helper). */
export async function syncFileSystem(path: string): Promise<void> {
  const r = await syscallOrCommand(mountSyscalls().syncfs(path), 'sync', ['-f', path]);
  if (!r.ok) throw new KilnError('snapshot/sync-failed', `syncfs ${path} failed: ${r.message}`);
}

/** Gets the mount helper going before mounts are needed (see Snapshotter.warm). */
export function warmMounts(): void {
  mountSyscalls().warm();
}

/** One unmount attempt: whether it worked, and what failed. */
function umountOnce(target: string, lazy: boolean): Promise<{ ok: boolean; message: string }> {
  return syscallOrCommand(mountSyscalls().umount(target, lazy ? MNT_DETACH : 0), 'umount', lazy ? ['-l', target] : [target]);
}

/**
 * Unmounts `target`, retrying while busy (a process may still be leaving it);
 * falls back to a lazy detach so a failed build never leaves a mount behind.
 */
export async function unmount(target: string): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await umountOnce(target, false);
    if (r.ok) return;
    last = r.message;
    if (!(await isMountPoint(target))) return;
    await sleep(20 * (attempt + 1));
  }
  const lazy = await umountOnce(target, true);
  if (!lazy.ok && (await isMountPoint(target))) throw new KilnError('snapshot/unmount-failed', `umount ${target} failed: ${last || lazy.message}`);
}

/** Decodes the octal escapes (`\040`) of a /proc/self/mountinfo field. */
function unescapeMountField(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** Mount points at or under `dir`, deepest first (the order to unmount them). */
export async function mountsUnder(dir: string): Promise<string[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  const prefix = dir.endsWith('/') ? dir : `${dir}/`;
  const out = info
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((p): p is string => p !== undefined)
    .map(unescapeMountField)
    .filter((p) => p === dir || p.startsWith(prefix));
  return out.sort((a, b) => b.length - a.length);
}

/** Whether `path` is a mount point right now. */
export async function isMountPoint(path: string): Promise<boolean> {
  return (await mountsUnder(path)).includes(path);
}
