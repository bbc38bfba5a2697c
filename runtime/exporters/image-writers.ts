import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { familiarImageRef, KilnError, parseImageRef } from '../../compiler/index.js';
import type { Digest, ImageRef } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import type { RegistryClient } from '../registry/index.js';
import { packTar } from '../snapshot/index.js';
import type { BuiltImage, Descriptor } from './image-builder.js';

/** How an image archive or directory is laid out. */
export interface ImageArchiveOptions {
  /** The image's full name (`registry/repo:tag`), recorded in index.json (and manifest.json). */
  readonly name?: string;
  /** Add Docker's `manifest.json`, so `docker load` takes the archive (`type=docker`). */
  readonly docker?: boolean;
  readonly signal?: AbortSignal;
}

function parsedName(name: string | undefined): ImageRef | undefined {
  if (!name) return undefined;
  const r = parseImageRef(name);
  if ('error' in r) throw new KilnError('export/bad-name', `invalid image name ${JSON.stringify(name)}: ${r.error}`);
  return r;
}

/** The small files of an OCI layout (and Docker's manifest.json) for one image. */
function layoutFiles(image: BuiltImage, o: ImageArchiveOptions): Map<string, Uint8Array> {
  const ref = parsedName(o.name);
  const tag = ref?.tag ?? (ref && !ref.digest ? 'latest' : undefined);
  const annotations = ref ? { 'io.containerd.image.name': `${ref.domain}/${ref.path}${tag ? `:${tag}` : ''}`, ...(tag ? { 'org.opencontainers.image.ref.name': tag } : {}) } : undefined;
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [{ ...image.manifest, ...(annotations ? { annotations } : {}) }] };
  const files = new Map<string, Uint8Array>([
    ['oci-layout', new TextEncoder().encode('{"imageLayoutVersion":"1.0.0"}')],
    ['index.json', new TextEncoder().encode(JSON.stringify(index))],
  ]);
  if (o.docker) {
    const blob = (d: Descriptor) => `blobs/sha256/${d.digest.slice(7)}`;
    const repoTags = ref ? [familiarImageRef({ ...ref, ...(tag ? { tag } : {}) })] : [];
    files.set('manifest.json', new TextEncoder().encode(JSON.stringify([{ Config: blob(image.config), RepoTags: repoTags, Layers: image.layers.map(blob) }])));
  }
  return files;
}

function blobsOf(image: BuiltImage): Descriptor[] {
  return [image.config, ...image.layers, image.manifest];
}

/** Streams the image as a tar archive (an OCI layout; with `docker`, loadable by `docker load`) into `out`. */
export async function writeImageArchive(store: ContentStore, image: BuiltImage, out: Writable, o: ImageArchiveOptions = {}): Promise<void> {
  await packTar(out, o.signal, async (pack) => {
    const entry = (name: string, size: number, body: Readable | Uint8Array) =>
      new Promise<void>((resolve, reject) => {
        const header = { name, size, mode: 0o644, mtime: new Date(0), type: 'file' as const };
        if (body instanceof Uint8Array) return void pack.entry(header, Buffer.from(body), (err) => (err ? reject(err) : resolve()));
        const sink = pack.entry(header, (err) => (err ? reject(err) : resolve()));
        body.on('error', reject);
        body.pipe(sink);
      });
    const seen = new Set<string>();
    for (const d of blobsOf(image)) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      await entry(`blobs/sha256/${d.digest.slice(7)}`, d.size, await store.stream(d.digest));
    }
    for (const [name, bytes] of layoutFiles(image, o)) await entry(name, bytes.length, bytes);
  });
}

/** Writes the archive to `dest` atomically (a temp file renamed into place), or to stdout for `-`. */
export async function exportImageArchive(store: ContentStore, image: BuiltImage, dest: string, o: ImageArchiveOptions = {}): Promise<void> {
  if (dest === '-') return writeImageArchive(store, image, process.stdout, o);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = join(dirname(dest), `.${basename(dest)}.kiln-${randomBytes(6).toString('hex')}`);
  try {
    await writeImageArchive(store, image, createWriteStream(tmp), o);
    await rename(tmp, dest);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

/** Writes the image as an OCI layout directory (`type=oci,tar=false`), merged into an existing layout's blobs. */
export async function exportImageLayout(store: ContentStore, image: BuiltImage, dest: string, o: ImageArchiveOptions = {}): Promise<void> {
  const blobs = join(dest, 'blobs', 'sha256');
  await mkdir(blobs, { recursive: true });
  for (const d of blobsOf(image)) {
    const target = join(blobs, d.digest.slice(7));
    if (await stat(target).then(() => true, () => false)) continue;
    const tmp = `${target}.kiln-${randomBytes(6).toString('hex')}`;
    await copyFile(join(store.dir, d.digest.slice(7)), tmp);
    await rename(tmp, target);
  }
  for (const [name, bytes] of layoutFiles(image, o)) {
    const tmp = join(dest, `.${name}.kiln-${randomBytes(6).toString('hex')}`);
    await writeFile(tmp, bytes);
    await rename(tmp, join(dest, name));
  }
}

/** Pushes the image to `name`'s registry: blobs the registry lacks, then the manifest under the tag. */
export async function pushImage(client: RegistryClient, store: ContentStore, image: BuiltImage, name: string): Promise<{ ref: string; digest: Digest }> {
  const ref = parsedName(name)!;
  const host = ref.domain;
  // Layers in parallel (a few at a time), the config, then the manifest that names them.
  const todo = [...image.layers, image.config];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const d = todo[next++]!;
      await client.pushBlob(host, ref.path, d, () => store.stream(d.digest));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  const bytes = await store.get(image.manifest.digest);
  await client.putManifest(host, ref.path, ref.digest ?? ref.tag ?? 'latest', image.manifest.mediaType, bytes);
  return { ref: `${host}/${ref.path}:${ref.tag ?? 'latest'}`, digest: image.manifest.digest };
}
