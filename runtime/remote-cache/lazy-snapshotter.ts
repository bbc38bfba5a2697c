import type { Digest } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import type { ActiveSnapshot, Snapshotter, SnapshotView } from '../snapshot/index.js';
import type { CacheStore } from '../solver/index.js';
import { unpackImage } from '../worker/index.js';
import type { LayeredCacheStore } from './remote-cache.js';
import { REMOTE_REF } from './remote-cache.js';

/**
 * A snapshotter that understands the lazy refs of imported caches: the first time one is
 * read (a step runs on it, the result is exported), its layers are downloaded and unpacked,
 * each layer stack once per root (by chain ID, as image layers are), and the ref stands for
 * that snapshot from then on.
 */
export class LazySnapshotter implements Snapshotter {
  readonly #inner: Snapshotter;
  readonly #cache: LayeredCacheStore;
  readonly #store: ContentStore;
  readonly #layers: CacheStore | undefined;
  readonly #real = new Map<string, Promise<string>>();

  constructor(inner: Snapshotter, cache: LayeredCacheStore, store: ContentStore, layers?: CacheStore) {
    this.#inner = inner;
    this.#cache = cache;
    this.#store = store;
    this.#layers = layers;
  }

  /** The real snapshot id of a ref, unpacking an imported result the first time. */
  resolve(id: string): Promise<string> {
    if (!id.startsWith(REMOTE_REF)) return Promise.resolve(id);
    let p = this.#real.get(id);
    if (!p) {
      p = this.#materialize(id);
      this.#real.set(id, p);
      p.catch(() => this.#real.delete(id));
    }
    return p;
  }

  async #materialize(id: string): Promise<string> {
    const lazy = this.#cache.lazy.get(id);
    if (!lazy) throw new Error(`unknown imported result ${id}`);
    await Promise.all(lazy.layers.map((l) => lazy.source.fetch(l)));
    return unpackImage({
      digest: id,
      config: { rootfs: { type: 'layers', diff_ids: lazy.layers.map((l) => l.diffId) } },
      layers: lazy.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })),
      openLayer: (d) => this.#store.stream(d as Digest),
    }, { snapshotter: this.#inner, ...(this.#layers ? { layers: this.#layers } : {}) });
  }

  warm(): void {
    this.#inner.warm?.();
  }

  async sync(): Promise<void> {
    await this.#inner.sync?.();
  }

  async prepare(parents: readonly string[]): Promise<ActiveSnapshot> {
    return this.#inner.prepare(await Promise.all(parents.map((p) => this.resolve(p))));
  }

  commit(active: ActiveSnapshot): Promise<string> {
    return this.#inner.commit(active);
  }

  abort(active: ActiveSnapshot): Promise<void> {
    return this.#inner.abort(active);
  }

  async view(id: string): Promise<SnapshotView> {
    return this.#inner.view(await this.resolve(id));
  }

  async layers(id: string): Promise<readonly string[]> {
    return this.#inner.layers(await this.resolve(id));
  }

  async remove(id: string): Promise<void> {
    return this.#inner.remove(await this.resolve(id));
  }
}
