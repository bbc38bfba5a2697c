import { mkdir, readFile, realpath, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CopySnapshotter } from './copy-snapshotter.js';
import { OverlaySnapshotter } from './overlay-snapshotter.js';

/** A snapshotter with the name of its kind, for logs and `kiln du`. */
export type NamedSnapshotter = OverlaySnapshotter | CopySnapshotter;

const probes = new Map<string, Promise<boolean>>();

/**
 * The snapshotter for `root`: overlay when an overlay mount works there
 * (root, kernel overlayfs, a file system that can hold an upper dir), else
 * copies. The choice is recorded in `root/driver` the first time: snapshots
 * of one kind cannot be read by the other, and the probe (a real mount) costs
 * a no-op build tens of milliseconds.
 *
 * @example
 * const snapshotter = await createSnapshotter('/var/lib/kiln');
 * const active = await snapshotter.prepare([]);
 */
export async function createSnapshotter(root: string): Promise<NamedSnapshotter> {
  await mkdir(root, { recursive: true });
  const real = await realpath(root);
  let probe = probes.get(real);
  if (!probe) {
    probe = recordedDriver(real);
    probes.set(real, probe);
  }
  return (await probe) ? new OverlaySnapshotter(real) : new CopySnapshotter(real);
}

async function recordedDriver(root: string): Promise<boolean> {
  const file = join(root, 'driver');
  const recorded = await readFile(file, 'utf8').catch(() => '');
  if (recorded.trim() === 'overlay') return true;
  if (recorded.trim() === 'copy') return false;
  const overlay = await OverlaySnapshotter.probe(root);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, overlay ? 'overlay\n' : 'copy\n');
  await rename(tmp, file);
  return overlay;
}
