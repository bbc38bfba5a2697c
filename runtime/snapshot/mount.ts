import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { execFile } from 'node:child_process';
import { KilnError } from '../../compiler/index.js';

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

// mount(8) and umount(8) run through child_process rather than execa: two of them per RUN,
// and execa's extra start-up cost (~5 ms each here) showed in every step.
function run(cmd: string, args: readonly string[], cwd?: string): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...(cwd ? { cwd } : {}), encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ exitCode: code, stdout, stderr: stderr || (err && code === 1 && !stderr ? err.message : '') });
    });
  });
}

/** Mounts an overlay at `target` (absolute) with mount(8); read-only when there is no upper. */
export async function mountOverlay(target: string, m: OverlayMount): Promise<void> {
  const data = overlayOptions(m);
  if (data.length > MOUNT_DATA_LIMIT) throw new KilnError('snapshot/mount-data-too-long', `overlay mount data for ${target} is ${data.length} bytes (limit ${MOUNT_DATA_LIMIT})`);
  const args = ['-t', 'overlay', 'overlay', '-o', m.upper === undefined ? `ro,${data}` : data, target];
  const r = await run('mount', args, m.cwd);
  if (r.exitCode !== 0) throw new KilnError('snapshot/mount-failed', `mount overlay on ${target} failed: ${r.stderr || r.stdout || `exit ${String(r.exitCode)}`}`);
}

/**
 * Unmounts `target`, retrying while busy (a process may still be leaving it);
 * falls back to a lazy detach so a failed build never leaves a mount behind.
 */
export async function unmount(target: string): Promise<void> {
  let last = '';
  for (let attempt = 0; attempt < 10; attempt++) {
    const r = await run('umount', [target]);
    if (r.exitCode === 0) return;
    last = r.stderr;
    if (!(await isMountPoint(target))) return;
    await sleep(20 * (attempt + 1));
  }
  const lazy = await run('umount', ['-l', target]);
  if (lazy.exitCode !== 0 && (await isMountPoint(target))) throw new KilnError('snapshot/unmount-failed', `umount ${target} failed: ${last || lazy.stderr}`);
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
