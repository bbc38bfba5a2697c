import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { copyTree } from './copy-tree.js';
import { MOUNT_DATA_LIMIT, OVERLAY_MAX_LOWERS, mountOverlay, mountsUnder, overlayOptions, unmount, isMountPoint, warmMounts } from './mount.js';
import { SnapshotStore } from './snapshot-store.js';
import type { ActiveSnapshot, Snapshotter, SnapshotView } from './types.js';
import { xattrsAvailable } from './xattrs.js';

/** Tuning for `OverlaySnapshotter`; the defaults are the kernel's limits. */
export interface OverlaySnapshotterOptions {
  /** Longest overlay mount data before a chain is flattened (tests lower it to force flattening). */
  readonly mountDataLimit?: number;
}

/**
 * containerd's overlayfs snapshotter: a committed snapshot is its parents'
 * layers plus its own, `<root>/snapshots/<id>/fs` (the upper dir it was
 * prepared with), stacked read-only at mount time.
 *
 * Long chains: layer paths in the mount data are relative to
 * `<root>/snapshots` (mount(8) runs there, as Docker's overlay2 mounts from its
 * `l/` dir), so a layer costs 20 bytes (`<16 hex>/fs:`) and ~180 fit in a page.
 * When a chain still does not fit (or passes overlayfs' 500-layer stack),
 * prepare flattens the parents' layers into one new layer `<id>/flat` by
 * applying them in order (whiteouts and opaque dirs honoured): a copy once,
 * then every descendant stacks on the short chain.
 */
export class OverlaySnapshotter implements Snapshotter {
  readonly kind = 'overlay';
  readonly #store: SnapshotStore;
  readonly #limit: number;
  /** Removals #tidy started and sync() waits for. */
  readonly #tidying = new Set<Promise<void>>();

  constructor(root: string, opts: OverlaySnapshotterOptions = {}) {
    this.#store = new SnapshotStore(root);
    this.#limit = Math.min(opts.mountDataLimit ?? MOUNT_DATA_LIMIT, MOUNT_DATA_LIMIT);
  }

  /** Whether overlay mounts (and the xattrs that mark opaque dirs) work under `root`: tries one. */
  static async probe(root: string): Promise<boolean> {
    if (process.getuid?.() !== 0 || !(await xattrsAvailable())) return false;
    const dir = join(root, `probe-${randomBytes(4).toString('hex')}`);
    const merged = join(dir, 'm');
    try {
      for (const d of ['l1', 'l2', 'u', 'w', 'm']) await mkdir(join(dir, d), { recursive: true });
      await writeFile(join(dir, 'l1', 'f'), 'ok');
      await mountOverlay(merged, { lowers: ['l2', 'l1'], upper: 'u', work: 'w', cwd: dir });
      try {
        return (await readFile(join(merged, 'f'), 'utf8')) === 'ok';
      } finally {
        await unmount(merged);
      }
    } catch {
      return false;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  warm(): void {
    warmMounts();
  }

  async sync(): Promise<void> {
    await Promise.all(this.#tidying);
    await this.#store.sync();
  }

  async prepare(parents: readonly string[]): Promise<ActiveSnapshot> {
    const chain = await this.#chain(parents);
    const id = this.#store.newId();
    const dir = await this.#store.dir(id);
    const base = await this.#store.snapshotsDir();
    try {
      mkdirSync(join(dir, 'fs'), { recursive: true });
      if (chain.length === 0) {
        await this.#store.write({ version: 1, id, state: 'active', parents, layers: [`${id}/fs`] });
        return { id, dir: join(dir, 'fs') };
      }
      let lowers = chain;
      if (!this.#fits(lowers, id)) {
        for (const layer of lowers) await copyTree(join(base, layer), join(dir, 'flat'), { overlay: true });
        lowers = [`${id}/flat`];
      }
      mkdirSync(join(dir, 'work'));
      mkdirSync(join(dir, 'merged'));
      // The record goes first: a crash after the mount leaves an active record that recover() finds.
      await this.#store.write({ version: 1, id, state: 'active', parents, layers: [...lowers, `${id}/fs`] });
      await mountOverlay(join(dir, 'merged'), { lowers: [...lowers].reverse(), upper: `${id}/fs`, work: `${id}/work`, cwd: base, volatile: true });
      return { id, dir: join(dir, 'merged') };
    } catch (err) {
      // The original failure is what matters; a cleanup failure would hide it.
      await this.#discard(id).catch(() => undefined);
      throw err;
    }
  }

  /**
   * A new snapshot's bare upper dir over `parents`, not mounted, with the lower layers' dirs
   * (topmost first): for applying a layer tar straight into it (see upper-apply.ts). Undefined
   * when the chain is too long to mount as is (prepare flattens it then).
   */
  async prepareUpper(parents: readonly string[]): Promise<(ActiveSnapshot & { readonly lowers: readonly string[] }) | undefined> {
    const chain = await this.#chain(parents);
    const id = this.#store.newId();
    if (chain.length > 0 && !this.#fits(chain, id)) return undefined;
    const dir = await this.#store.dir(id);
    const base = await this.#store.snapshotsDir();
    await mkdir(join(dir, 'fs'), { recursive: true });
    await this.#store.write({ version: 1, id, state: 'active', parents, layers: [...chain, `${id}/fs`] });
    return { id, dir: join(dir, 'fs'), lowers: [...chain].reverse().map((l) => join(base, l)) };
  }

  async commit(active: ActiveSnapshot): Promise<string> {
    const rec = await this.#store.read(active.id, 'active');
    const dir = await this.#store.dir(active.id);
    // A snapshot from prepareUpper was never mounted.
    if (rec.layers.length > 1 && existsSync(join(dir, 'merged'))) await unmount(join(dir, 'merged'));
    await this.#store.write({ ...rec, state: 'committed' });
    if (rec.layers.length > 1) this.#tidy(dir);
    return rec.id;
  }

  /**
   * Removes a committed snapshot's mount point and overlay work dir in the background (sync()
   * waits for it): five rmdirs, ~2 ms of the main thread per step, when steps end together and
   * the next ones wait. Left behind by a killed process, they are empty directories no mount
   * uses, removed with the snapshot.
   */
  #tidy(dir: string): void {
    const done = (async () => {
      await rm(join(dir, 'work'), { recursive: true, force: true });
      await rm(join(dir, 'merged'), { recursive: true, force: true });
    })().catch(() => undefined).finally(() => this.#tidying.delete(done));
    this.#tidying.add(done);
  }

  async abort(active: ActiveSnapshot): Promise<void> {
    await this.#store.read(active.id, 'active');
    await this.#discard(active.id);
  }

  async view(id: string): Promise<SnapshotView> {
    const layers = await this.layers(id);
    if (layers.length === 1) return { dir: layers[0]!, release: async () => {} };
    const rec = await this.#store.read(id, 'committed');
    const target = join(await this.#store.root(), 'views', randomBytes(8).toString('hex'));
    mkdirSync(target, { recursive: true });
    try {
      await mountOverlay(target, { lowers: [...rec.layers].reverse(), cwd: await this.#store.snapshotsDir() });
    } catch (err) {
      await rm(target, { recursive: true, force: true });
      throw err;
    }
    let released = false;
    return {
      dir: target,
      release: async () => {
        if (released) return;
        released = true;
        await unmount(target);
        rmSync(target, { recursive: true, force: true });
      },
    };
  }

  async layers(id: string): Promise<readonly string[]> {
    return this.#store.layerPaths(await this.#store.read(id, 'committed'));
  }

  async layersAbove(of: string, skip: number): Promise<string> {
    const rec = await this.#store.read(of, 'committed');
    const layers = rec.layers.slice(skip);
    // No change at all is a snapshot of one empty layer.
    if (layers.length === 0) return this.commit(await this.prepare([]));
    const id = this.#store.newId();
    await mkdir(await this.#store.dir(id), { recursive: true });
    await this.#store.write({ version: 1, id, state: 'committed', parents: [of], layers });
    return id;
  }

  async parents(id: string): Promise<readonly string[]> {
    return (await this.#store.read(id, 'committed')).parents;
  }

  async remove(id: string): Promise<void> {
    await this.#store.read(id, 'committed');
    await this.#store.delete(id);
  }

  /**
   * Crash recovery, for start-up before any other use of the root: unmounts
   * everything mounted under it and deletes active snapshots and views that a
   * killed process left behind. Committed snapshots are kept.
   */
  async recover(): Promise<void> {
    const root = await this.#store.root();
    for (const m of await mountsUnder(root)) await unmount(m);
    await rm(join(root, 'views'), { recursive: true, force: true });
    for (const id of await readdir(await this.#store.snapshotsDir())) {
      const committed = await this.#store.read(id, 'committed').then(() => true, () => false);
      if (!committed) await rm(join(await this.#store.snapshotsDir(), id), { recursive: true, force: true });
    }
  }

  /** The parents' layers stacked, lowest first; a layer met twice (a merge of relatives) stays at its topmost place. */
  async #chain(parents: readonly string[]): Promise<string[]> {
    const all: string[] = [];
    for (const p of parents) all.push(...(await this.#store.read(p, 'committed')).layers);
    const seen = new Set<string>();
    const out: string[] = [];
    for (let i = all.length - 1; i >= 0; i--) {
      const l = all[i]!;
      if (!seen.has(l)) out.unshift(l);
      seen.add(l);
    }
    return out;
  }

  /** Whether `lowers` can be mounted under an upper of `id` (and viewed later with that upper as one more lower). */
  #fits(lowers: readonly string[], id: string): boolean {
    if (lowers.length + 1 > OVERLAY_MAX_LOWERS) return false;
    return overlayOptions({ lowers, upper: `${id}/fs`, work: `${id}/work`, cwd: '', volatile: true }).length <= this.#limit;
  }

  async #discard(id: string): Promise<void> {
    const dir = await this.#store.dir(id);
    const merged = join(dir, 'merged');
    if (await isMountPoint(merged)) await unmount(merged);
    await this.#store.delete(id);
  }
}
