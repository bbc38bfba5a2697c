import type { Digest } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import type { CacheStore, Ref, Vertex } from '../solver/index.js';
import type { CacheLayer, CacheRecord } from './cache-manifest.js';

/** Where imported cache records and their layer blobs come from. */
export interface CacheSource {
  readonly records: ReadonlyMap<string, CacheRecord>;
  readonly layers: readonly CacheLayer[];
  /** Brings a layer blob into the content store (verified), unless it is there. */
  fetch(layer: CacheLayer): Promise<void>;
}

/** The prefix of refs that stand for an imported result not unpacked yet. */
export const REMOTE_REF = 'remote:';

/** The layers of an imported result, by the lazy ref id that stands for it. */
export interface LazyResult {
  readonly source: CacheSource;
  readonly layers: readonly CacheLayer[];
}

/**
 * The local cache, then imported ones (`--cache-from`): a key only they know resolves to lazy
 * refs (`remote:…`), which cost nothing until something reads them; the snapshotter unpacks
 * them then (LazySnapshotter). So a step whose result is in an imported cache never runs, and
 * only the layers a build ends up reading are downloaded.
 */
export class LayeredCacheStore implements CacheStore {
  readonly #local: CacheStore;
  readonly #sources: readonly CacheSource[];
  readonly lazy = new Map<string, LazyResult>();

  constructor(local: CacheStore, sources: readonly CacheSource[]) {
    this.#local = local;
    this.#sources = sources;
  }

  async load(key: string): Promise<readonly Ref[] | undefined> {
    const local = await this.#local.load(key);
    if (local) return local;
    for (const source of this.#sources) {
      const rec = source.records.get(key);
      if (!rec) continue;
      return rec.outputs.map((layerIdx, i) => {
        const id = `${REMOTE_REF}${key}#${i}`;
        this.lazy.set(id, { source, layers: layerIdx.map((n) => source.layers[n]!) });
        return { id };
      });
    }
    return undefined;
  }

  save(key: string, refs: readonly Ref[], v: Vertex): Promise<void> {
    return this.#local.save(key, refs, v);
  }
}

export type { ContentStore, Digest };
