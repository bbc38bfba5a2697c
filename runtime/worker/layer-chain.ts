import { createHash } from 'node:crypto';
import type { Digest } from '../../compiler/index.js';
import type { Readable } from 'node:stream';
import { applyLayerTar, NeedsMergedView } from '../snapshot/index.js';
import type { LayerTarOptions, Snapshotter } from '../snapshot/index.js';
import type { CacheStore, Vertex } from '../solver/index.js';
import type { ResolvedImage } from './image-source.js';
import type { WorkerContext } from './worker-context.js';

/**
 * containerd's ChainID: a layer stack's identity, `diffID₀` for the first layer and
 * `sha256(chain(n-1) + " " + diffIDₙ)` after, so equal stacks share it whatever image they
 * came in.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const prev = out.at(-1);
    out.push(prev === undefined ? d : `sha256:${createHash('sha256').update(`${prev} ${d}`).digest('hex')}`);
  }
  return out;
}

/** The cache record key of an unpacked layer stack. */
const keyOf = (chainId: string): string => `layer-chain:${chainId}`;

/**
 * Unpacks an image's layers into a snapshot chain, each stack once per root: a stack some
 * earlier build or `kiln image load` unpacked (same chain of diffIDs, from any image) is
 * reused, and each layer unpacked is checked against its diffID before it is recorded.
 * Returns the top snapshot id (an empty snapshot for an image without layers).
 */
export async function unpackImage(image: ResolvedImage, w: Pick<WorkerContext, 'snapshotter' | 'layers' | 'layerBlobs'>, signal?: AbortSignal): Promise<string> {
  const diffIds = image.config.rootfs?.diff_ids ?? [];
  // Without a diffID for every layer there is nothing to key stacks by: unpack, record nothing.
  const chains = diffIds.length === image.layers.length ? chainIds(diffIds) : undefined;
  let parent: string[] = [];
  for (let i = 0; i < image.layers.length; i++) {
    const chain = chains?.[i];
    const known = chain && w.layers ? (await w.layers.load(keyOf(chain)))?.[0]?.id : undefined;
    if (known) {
      parent = [known];
    } else {
      const opts = { ...(signal ? { signal } : {}), ...(chains ? { expectDiffId: diffIds[i]! } : {}) };
      parent = [await applyLayer(w.snapshotter, parent, () => image.openLayer(image.layers[i]!.digest), opts)];
      if (chain && w.layers) await w.layers.save(keyOf(chain), [{ id: parent[0]! }], layerVertex(chain, image.layers[i]!.digest));
      // Only a blob just checked against its diffID may stand for the layer in an export (a
      // stack found by chain ID came from some other blob, maybe one this image only claims).
      if (chains) await w.layerBlobs?.record(parent[0]!, { digest: image.layers[i]!.digest, mediaType: image.layers[i]!.mediaType, diffId: diffIds[i]! });
    }
  }
  if (parent.length === 0) {
    const active = await w.snapshotter.prepare([]);
    parent = [await w.snapshotter.commit(active)];
  }
  return parent[0]!;
}

/**
 * One layer onto `parent`: straight into a bare overlay upper dir when the snapshotter offers
 * one (no mount), else through a mounted snapshot, which is also the fallback for the rare
 * layer an upper dir cannot express.
 */
async function applyLayer(s: Snapshotter, parent: string[], open: () => Promise<Readable>, opts: LayerTarOptions): Promise<string> {
  const upper = await s.prepareUpper?.(parent);
  if (upper) {
    try {
      await applyLayerTar(await open(), upper.dir, { ...opts, overlayUpper: { lowers: upper.lowers } });
      return await s.commit(upper);
    } catch (err) {
      await s.abort(upper);
      if (!(err instanceof NeedsMergedView)) throw err;
    }
  }
  const active = await s.prepare(parent);
  try {
    await applyLayerTar(await open(), active.dir, opts);
    return await s.commit(active);
  } catch (err) {
    await s.abort(active);
    throw err;
  }
}

/** What a layer stack's cache record says made it (for `kiln du` and logs). */
function layerVertex(chain: string, blob: string): Vertex {
  return { digest: chain as Digest, op: {}, inputs: [], metadata: {}, name: `layer ${blob}` };
}

export type { CacheStore };
