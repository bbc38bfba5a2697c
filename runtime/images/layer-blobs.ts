import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The image blob a snapshot layer was unpacked from. */
export interface LayerBlob {
  readonly digest: string;
  readonly mediaType: string;
  /** The uncompressed tar's digest, checked when the layer was unpacked. */
  readonly diffId: string;
}

/**
 * Remembers which image blob each unpacked layer came from, so an image export reuses the
 * base image's layers byte for byte, as BuildKit does: re-tarring them gave new digests, so
 * a pushed image shared no layer with its base and uploaded it again. One small JSON file per
 * snapshot under `root/layer-blobs/`, written atomically; a missing or damaged one only means
 * the layer is tarred anew.
 */
export class LayerBlobIndex {
  readonly #dir: string;

  constructor(root: string) {
    this.#dir = join(root, 'layer-blobs');
  }

  async record(snapshotId: string, blob: LayerBlob): Promise<void> {
    if (!/^[A-Za-z0-9_-]+$/.test(snapshotId)) return;
    await mkdir(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `.${snapshotId}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, JSON.stringify(blob));
    await rename(tmp, join(this.#dir, `${snapshotId}.json`));
  }

  async lookup(snapshotId: string): Promise<LayerBlob | undefined> {
    if (!/^[A-Za-z0-9_-]+$/.test(snapshotId)) return undefined;
    try {
      const b = JSON.parse(await readFile(join(this.#dir, `${snapshotId}.json`), 'utf8')) as Partial<LayerBlob>;
      return typeof b.digest === 'string' && typeof b.mediaType === 'string' && typeof b.diffId === 'string'
        ? { digest: b.digest, mediaType: b.mediaType, diffId: b.diffId } : undefined;
    } catch {
      return undefined;
    }
  }

  /** Deletes the notes of snapshots `kept` says are gone (and unfinished writes): for prune. */
  async forgetExcept(kept: (snapshotId: string) => boolean): Promise<void> {
    const names = await readdir(this.#dir).catch(() => [] as string[]);
    for (const name of names) {
      if (name.startsWith('.') || !kept(name.replace(/\.json$/, ''))) await rm(join(this.#dir, name), { force: true });
    }
  }
}
