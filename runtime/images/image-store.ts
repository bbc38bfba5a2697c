import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatImageRef, KilnError, parseImageRef } from '../../compiler/index.js';
import type { Digest, ImageConfig, llb } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import type { StateDb } from '../cache/index.js';
import type { Descriptor } from '../oci/oci-layout.js';
import type { ImageSource, ResolvedImage } from '../worker/image-source.js';

const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** Normalizes a name the way FROM lines are normalized (`busybox` → `docker.io/library/busybox:latest`). */
export function normalizeName(name: string): string {
  const p = parseImageRef(name);
  if ('error' in p) throw new KilnError('image/bad-name', p.error);
  return formatImageRef(p);
}

/**
 * kiln's local image store: named images whose manifests, configs and layers
 * live in the content store (`kiln image load`, `kiln image ls`). It is the
 * ImageSource `docker-image://` sources resolve from.
 */
export class ImageStore implements ImageSource {
  readonly #content: ContentStore;
  readonly #db: StateDb;

  constructor(content: ContentStore, db: StateDb) {
    this.#content = content;
    this.#db = db;
  }

  /** Named images, newest names last. */
  list(): { name: string; digest: string }[] {
    return this.#db.images().map((i) => ({ name: i.name, digest: i.digest }));
  }

  async #json<T>(digest: string): Promise<T> {
    return JSON.parse(new TextDecoder().decode(await this.#content.get(digest as Digest))) as T;
  }

  async resolve(ref: string, platform: llb.Platform): Promise<ResolvedImage> {
    const at = ref.indexOf('@');
    const pinned = at >= 0 ? ref.slice(at + 1) : undefined;
    const name = at >= 0 ? ref.slice(0, at) : ref;
    const rec = this.#db.image(normalizeName(name));
    const digest = pinned ?? rec?.digest;
    if (!digest || !(await this.#content.has(digest as Digest))) {
      throw new KilnError('image/not-found', `image ${ref} is not in kiln's image store (load it with kiln image load PATH --name ${name})`);
    }
    let manifest = await this.#json<{ mediaType?: string; manifests?: Descriptor[]; config: Descriptor; layers?: Descriptor[] }>(digest);
    if (manifest.manifests || INDEX_TYPES.has(manifest.mediaType ?? '')) {
      const pick = (manifest.manifests ?? []).find((m) => m.platform?.os === platform.os && m.platform.architecture === platform.architecture) ?? (manifest.manifests ?? [])[0];
      if (!pick) throw new KilnError('image/no-platform', `${ref} has no image for ${platform.os}/${platform.architecture}`);
      manifest = await this.#json(pick.digest);
    }
    // An image whose manifest a registry pull stored but whose layers were never fetched (they
    // come lazily) is not the store's to serve: the next source (the registry) fetches them.
    for (const l of manifest.layers ?? []) {
      if (!(await this.#content.has(l.digest as Digest))) throw new KilnError('image/incomplete', `image ${ref}: layer ${l.digest} is not in the store`);
    }
    if (!(await this.#content.has(manifest.config.digest as Digest))) throw new KilnError('image/incomplete', `image ${ref}: its config is not in the store`);
    const config = await this.#json<ImageConfig>(manifest.config.digest);
    return { digest, config, layers: (manifest.layers ?? []).map((l) => ({ digest: l.digest, mediaType: l.mediaType })), openLayer: (d) => this.#content.stream(d as Digest) };
  }

  /**
   * Imports an OCI image layout (directory or tar) or a `docker save` tarball,
   * naming each image by `name`, or by the names it carries.
   */
  async load(path: string, name?: string): Promise<{ name: string; digest: string }[]> {
    let dir = path;
    let tmp: string | undefined;
    if ((await stat(path)).isFile()) {
      tmp = await mkdtemp(join(tmpdir(), 'kiln-load-'));
      await (await import('execa')).execa('tar', ['-xf', path, '-C', tmp]);
      dir = tmp;
    }
    try {
      const entries = await readdir(dir);
      if (entries.includes('oci-layout')) return await this.#loadLayout(dir, name);
      if (entries.includes('manifest.json')) return await this.#loadDockerSave(dir, name);
      throw new KilnError('image/bad-archive', `${path} is neither an OCI image layout nor a docker save archive`);
    } finally {
      if (tmp) await rm(tmp, { recursive: true, force: true });
    }
  }

  async #putFile(file: string, expected?: string): Promise<string> {
    const info = await this.#content.put(createReadStream(file) as AsyncIterable<Uint8Array>, expected ? { expected: expected as Digest } : {});
    return info.digest;
  }

  async #loadLayout(dir: string, name?: string): Promise<{ name: string; digest: string }[]> {
    const blobs = join(dir, 'blobs', 'sha256');
    for (const hex of await readdir(blobs)) await this.#putFile(join(blobs, hex), `sha256:${hex}`);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as { manifests?: Descriptor[] };
    const out: { name: string; digest: string }[] = [];
    for (const m of index.manifests ?? []) {
      const annotated = m.annotations?.['io.containerd.image.name'] ?? m.annotations?.['org.opencontainers.image.ref.name'];
      const full = name ?? (annotated && annotated.includes('/') ? annotated : undefined);
      if (!full) continue;
      const n = normalizeName(full);
      this.#db.setImage(n, m.digest);
      out.push({ name: n, digest: m.digest });
    }
    if (out.length === 0) throw new KilnError('image/no-name', `the images in ${dir} carry no full names: give one with --name REF`);
    return out;
  }

  async #loadDockerSave(dir: string, name?: string): Promise<{ name: string; digest: string }[]> {
    const list = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as { Config: string; RepoTags?: string[]; Layers: string[] }[];
    const out: { name: string; digest: string }[] = [];
    for (const item of list) {
      const config = await this.#putFile(join(dir, item.Config));
      const layers: Descriptor[] = [];
      for (const l of item.Layers) {
        const digest = await this.#putFile(join(dir, l));
        layers.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: (await stat(join(dir, l))).size });
      }
      const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: (await stat(join(dir, item.Config))).size }, layers };
      const info = await this.#content.put(new TextEncoder().encode(JSON.stringify(manifest)));
      for (const tag of name ? [name] : item.RepoTags ?? []) {
        const n = normalizeName(tag);
        this.#db.setImage(n, info.digest);
        out.push({ name: n, digest: info.digest });
      }
    }
    if (out.length === 0) throw new KilnError('image/no-name', 'the archive carries no image names: give one with --name REF');
    return out;
  }
}
