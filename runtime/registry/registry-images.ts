import type { Digest, ImageConfig, llb } from '../../compiler/index.js';
import { KilnError, parseImageRef } from '../../compiler/index.js';
import type { ContentStore, StateDb } from '../cache/index.js';
import { normalizeName } from '../images/index.js';
import type { ImageSource, ResolvedImage } from '../worker/index.js';
import { RegistryClient } from './registry-client.js';

interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os?: string; readonly architecture?: string; readonly variant?: string };
}

/** The descriptor of an index that serves `platform` (variant only when both say one). */
export function pickPlatform(manifests: readonly Descriptor[], platform: llb.Platform): Descriptor | undefined {
  const candidates = manifests.filter((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
  return candidates.find((m) => (m.platform?.variant ?? '') === (platform.variant ?? '')) ?? candidates[0];
}

/**
 * `docker-image://` from registries: the reference is resolved to a manifest digest (an index
 * narrowed to the platform), the manifest and config are stored in the content store
 * (verified), and the name is recorded in the image store so later builds work offline.
 * Layers are downloaded only when a build unpacks them, each once, verified.
 */
export class RegistryImageSource implements ImageSource {
  readonly #client: RegistryClient;
  readonly #store: ContentStore;
  readonly #db: StateDb;

  constructor(client: RegistryClient, store: ContentStore, db: StateDb) {
    this.#client = client;
    this.#store = store;
    this.#db = db;
  }

  async resolve(ref: string, platform: llb.Platform): Promise<ResolvedImage> {
    const parsed = parseImageRef(ref);
    if ('error' in parsed) throw new KilnError('image/bad-reference', parsed.error);
    const { domain: host, path: repo } = parsed;
    const top = await this.#client.getManifest(host, repo, parsed.digest ?? parsed.tag ?? 'latest');
    await this.#store.put(top.bytes, { expected: top.digest });
    let manifest = JSON.parse(new TextDecoder().decode(top.bytes)) as { manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] };
    if (manifest.manifests) {
      const pick = pickPlatform(manifest.manifests, platform);
      if (!pick) {
        const offered = manifest.manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}${m.platform?.variant ? `/${m.platform.variant}` : ''}`).join(', ');
        throw new KilnError('image/no-platform', `${ref} has no image for ${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''} (it has ${offered})`);
      }
      const m = await this.#client.getManifest(host, repo, pick.digest);
      await this.#store.put(m.bytes, { expected: m.digest });
      manifest = JSON.parse(new TextDecoder().decode(m.bytes)) as typeof manifest;
    }
    if (!manifest.config) throw new KilnError('image/bad-manifest', `${ref}: the manifest has no config`);
    await this.#client.fetchBlob(this.#store, host, repo, manifest.config);
    const config = JSON.parse(new TextDecoder().decode(await this.#store.get(manifest.config.digest as Digest))) as ImageConfig;
    if (!parsed.digest) this.#db.setImage(normalizeName(ref), top.digest);
    const layers = manifest.layers ?? [];
    return {
      digest: top.digest,
      config,
      layers: layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType })),
      openLayer: async (d) => {
        const desc = layers.find((l) => l.digest === d);
        await this.#client.fetchBlob(this.#store, host, repo, desc ?? { digest: d });
        return this.#store.stream(d as Digest);
      },
    };
  }
}
