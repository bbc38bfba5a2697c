import { mkdir, realpath } from 'node:fs/promises';
import { CopySnapshotter } from './copy-snapshotter.js';
import { OverlaySnapshotter } from './overlay-snapshotter.js';

/** A snapshotter with the name of its kind, for logs and `kiln du`. */
export type NamedSnapshotter = OverlaySnapshotter | CopySnapshotter;

const probes = new Map<string, Promise<boolean>>();

/**
 * The snapshotter for `root`: overlay when an overlay mount works there
 * (root, kernel overlayfs, a file system that can hold an upper dir), else
 * copies. The probe runs once per root per process.
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
    probe = OverlaySnapshotter.probe(real);
    probes.set(real, probe);
  }
  return (await probe) ? new OverlaySnapshotter(real) : new CopySnapshotter(real);
}
