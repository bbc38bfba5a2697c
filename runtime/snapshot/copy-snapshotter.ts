import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { copyTree } from './copy-tree.js';
import { SnapshotStore } from './snapshot-store.js';
import type { ActiveSnapshot, Snapshotter, SnapshotView } from './types.js';

/**
 * containerd's "native" snapshotter: no overlay, every snapshot a full copy of
 * its tree at `<root>/snapshots/<id>/fs`. prepare copies the merged parents
 * (later parents win) into a new dir; a committed snapshot has one layer, its
 * whole tree. For rootless runs and machines without overlayfs.
 */
export class CopySnapshotter implements Snapshotter {
  readonly kind = 'copy';
  readonly #store: SnapshotStore;

  constructor(root: string) {
    this.#store = new SnapshotStore(root);
  }

  sync(): Promise<void> {
    return this.#store.sync();
  }

  async prepare(parents: readonly string[]): Promise<ActiveSnapshot> {
    const sources: string[] = [];
    for (const p of parents) sources.push(...(await this.layers(p)));
    const id = this.#store.newId();
    const fs = join(await this.#store.dir(id), 'fs');
    try {
      await mkdir(fs, { recursive: true });
      // overlay: a root once used by the overlay snapshotter has layers with whiteouts.
      for (const src of sources) await copyTree(src, fs, { overlay: true });
      await this.#store.write({ version: 1, id, state: 'active', parents, layers: [`${id}/fs`] });
    } catch (err) {
      await this.#store.delete(id).catch(() => undefined);
      throw err;
    }
    return { id, dir: fs };
  }

  async commit(active: ActiveSnapshot): Promise<string> {
    const rec = await this.#store.read(active.id, 'active');
    await this.#store.write({ ...rec, state: 'committed' });
    return rec.id;
  }

  async abort(active: ActiveSnapshot): Promise<void> {
    await this.#store.read(active.id, 'active');
    await this.#store.delete(active.id);
  }

  /** The snapshot's own dir: callers must treat it as read-only (nothing enforces it here). */
  async view(id: string): Promise<SnapshotView> {
    const [dir] = await this.layers(id);
    return { dir: dir!, release: async () => {} };
  }

  async layers(id: string): Promise<readonly string[]> {
    return this.#store.layerPaths(await this.#store.read(id, 'committed'));
  }

  async remove(id: string): Promise<void> {
    await this.#store.read(id, 'committed');
    await this.#store.delete(id);
  }
}
