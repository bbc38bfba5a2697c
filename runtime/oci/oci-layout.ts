import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { digestOf, isDigest, KilnError } from '../../compiler/index.js';
import type { ImageConfig, llb } from '../../compiler/index.js';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  readonly annotations?: { readonly [key: string]: string };
}

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);

/** An image layout directory on disk (`oci-layout`, `index.json`, `blobs/`), read-only. */
export class OciLayout {
  readonly dir: string;
  readonly #index: { readonly manifests?: readonly Descriptor[] };

  private constructor(dir: string, index: { manifests?: Descriptor[] }) {
    this.dir = dir;
    this.#index = index;
  }

  /** Opens a layout, checking its marker file. */
  static async open(dir: string): Promise<OciLayout> {
    let marker: { imageLayoutVersion?: string };
    try {
      marker = JSON.parse(await readFile(join(dir, 'oci-layout'), 'utf8')) as { imageLayoutVersion?: string };
    } catch (err) {
      throw new KilnError('oci/not-a-layout', `${dir} is not an OCI image layout (no readable oci-layout file)`, { cause: err });
    }
    if (marker.imageLayoutVersion !== '1.0.0') throw new KilnError('oci/not-a-layout', `${dir}: unsupported image layout version ${String(marker.imageLayoutVersion)}`);
    return new OciLayout(dir, JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests?: Descriptor[] });
  }

  /** Reads a blob and checks it against its digest. */
  async blob(digest: string): Promise<Uint8Array> {
    if (!isDigest(digest)) throw new KilnError('oci/bad-digest', `invalid digest ${digest}`);
    const bytes = new Uint8Array(await readFile(join(this.dir, 'blobs', 'sha256', digest.slice(7))));
    if (digestOf(bytes) !== digest) throw new KilnError('oci/digest-mismatch', `blob ${digest} in ${this.dir} does not match its digest`);
    return bytes;
  }

  /** Streams a blob from disk (verified by the consumer that needs it: layer diff ids are checked on unpack). */
  openBlob(digest: string): Readable {
    if (!isDigest(digest)) throw new KilnError('oci/bad-digest', `invalid digest ${digest}`);
    return createReadStream(join(this.dir, 'blobs', 'sha256', digest.slice(7)));
  }

  async #json<T>(digest: string): Promise<T> {
    return JSON.parse(new TextDecoder().decode(await this.blob(digest))) as T;
  }

  /**
   * Finds the image a reference names: by the `org.opencontainers.image.ref.name`
   * annotation (full reference or tag), or by digest; picks the platform from an index.
   */
  async resolve(ref: string, platform: llb.Platform): Promise<{ digest: string; config: ImageConfig; manifest: Descriptor; layers: readonly Descriptor[] }> {
    const manifests = this.#index.manifests ?? [];
    const at = ref.indexOf('@');
    const digest = at >= 0 ? ref.slice(at + 1) : undefined;
    const name = at >= 0 ? ref.slice(0, at) : ref;
    const tag = name.slice(name.lastIndexOf('/') + 1).split(':')[1] ?? 'latest';
    const hit =
      (digest && manifests.find((m) => m.digest === digest)) ||
      manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === name) ||
      manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ||
      (manifests.length === 1 && !digest ? manifests[0] : undefined);
    if (!hit) throw new KilnError('oci/not-found', `${ref} not found in ${this.dir}`);
    const manifest = INDEX_TYPES.has(hit.mediaType) ? await this.#pick(hit, platform) : hit;
    const m = await this.#json<{ config: Descriptor; layers?: Descriptor[] }>(manifest.digest);
    return { digest: digest ?? hit.digest, config: await this.#json<ImageConfig>(m.config.digest), manifest, layers: m.layers ?? [] };
  }

  async #pick(index: Descriptor, platform: llb.Platform): Promise<Descriptor> {
    const list = (await this.#json<{ manifests?: Descriptor[] }>(index.digest)).manifests ?? [];
    const match = list.find((m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture && (!platform.variant || m.platform.variant === platform.variant));
    if (!match) throw new KilnError('oci/no-platform', `no image for ${platform.os}/${platform.architecture} in ${index.digest}`);
    return match;
  }
}
