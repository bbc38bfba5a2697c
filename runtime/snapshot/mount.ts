import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError } from '../../compiler/index.js';
import { runCommand } from './command-shell.js';

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
  /** The directory mount(8) runs in; relative layer paths are resolved from it by the kernel. */
  readonly cwd: string;
}

/**
 * The `-o` data of an overlay mount. `index=off` and `redirect_dir=off` keep
 * upper dirs diffable (no rename redirects, no hard-link index), as Docker's
 * overlay2 and containerd expect of a layer.
 */
export function overlayOptions(m: OverlayMount): string {
  const opts = [`lowerdir=${m.lowers.join(':')}`];
  if (m.upper !== undefined && m.work !== undefined) opts.push(`upperdir=${m.upper}`, `workdir=${m.work}`);
  opts.push('index=off', 'redirect_dir=off');
  return opts.join(',');
}

/** Mounts an overlay at `target` (absolute) with mount(8); read-only when there is no upper. */
export async function mountOverlay(target: string, m: OverlayMount): Promise<void> {
  const data = overlayOptions(m);
  if (data.length > MOUNT_DATA_LIMIT) throw new KilnError('snapshot/mount-data-too-long', `overlay mount data for ${target} is ${data.length} bytes (limit ${MOUNT_DATA_LIMIT})`);
  const args = ['-t', 'overlay', 'overlay', '-o', m.upper === undefined ? `ro,${data}` : data, target];
  const r = await runCommand('mount', args, m.cwd);
  if (r.exitCode !== 0) throw new KilnError('snapshot/mount-failed', `mount overlay on ${target} failed: ${r.output.trim() || `exit ${String(r.exitCode)}`}`);
}

/**
 * Unmounts `target`, retrying while busy (a process may still be leaving it);
 * falls back to a lazy detach so a failed build never leaves a mount behind.
 */
export async function unmount(target: string): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await runCommand('umount', [target]);
    if (r.exitCode === 0) return;
    last = r.output.trim();
    if (!(await isMountPoint(target))) return;
    await sleep(20 * (attempt + 1));
  }
  const lazy = await runCommand('umount', ['-l', target]);
  if (lazy.exitCode !== 0 && (await isMountPoint(target))) throw new KilnError('snapshot/unmount-failed', `umount ${target} failed: ${last || lazy.output.trim()}`);
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
