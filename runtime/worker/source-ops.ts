import { createHash } from 'node:crypto';
import { isAbsolute, join, resolve } from 'node:path';
import { KilnError, formatImageRef, parseImageRef } from '../../compiler/index.js';
import type { Operation, Ref, Vertex } from '../solver/index.js';
import { checksumContext, localWalkOptions, syncContext } from '../sources/local/index.js';
import type { WorkerContext } from './worker-context.js';

/** `local://NAME`: the client's directory, filtered by the source's attributes; keyed by its content. */
export function localSource(v: Vertex, w: WorkerContext): Operation {
  const id = v.op.source!.identifier!;
  const name = id.slice('local://'.length);
  const attrs = v.op.source!.attrs ?? {};
  const dir = () => {
    const d = w.locals.get(name) ?? besideBuildFile(name, w.locals);
    if (!d) throw new KilnError('solver/no-local', `no local directory named "${name}" (pass --local ${name}=DIR)`);
    return d;
  };
  const walk = localWalkOptions(attrs);
  // This directory, as this source reads it (same name, filters and client).
  const identity = () => createHash('sha256').update(JSON.stringify([name, dir(), attrs])).digest('hex');
  return {
    async contentKey(signal) {
      // Only files whose size, times or inode changed since the last build are read again.
      const statCachePath = w.statCacheDir === undefined ? undefined : join(w.statCacheDir, `${identity()}.json`);
      return `local:${await checksumContext(dir(), walk, { signal, ...(statCachePath ? { statCachePath } : {}) })}`;
    },
    async exec() {
      // Incremental, as BuildKit's shared local refs: the new snapshot stacks on the last one
      // this directory synced into, so a one-file edit writes one file, not the whole context again.
      const lastKey = `local-last:${identity()}`;
      const last = w.layers ? (await w.layers.load(lastKey))?.[0]?.id : undefined;
      const active = await w.snapshotter.prepare(last ? [last] : []);
      let id: string;
      try {
        await syncContext(dir(), active.dir, walk);
        id = await w.snapshotter.commit(active);
      } catch (err) {
        await w.snapshotter.abort(active);
        throw err;
      }
      await w.layers?.save(lastKey, [{ id }], v);
      return [{ id }];
    },
  };
}

/** `docker-image://REF` and `oci-layout://REF`: the image's layers unpacked into a snapshot chain; keyed by manifest digest. */
export function imageSource(v: Vertex, w: WorkerContext): Operation {
  const id = v.op.source!.identifier!;
  const ref = id.replace(/^(docker-image|oci-layout):\/\//, '');
  const platform = v.op.platform ? { os: v.op.platform.OS ?? 'linux', architecture: v.op.platform.Architecture ?? 'amd64', ...(v.op.platform.Variant ? { variant: v.op.platform.Variant } : {}) } : w.platform;
  const parsed = parseImageRef(ref);
  const normalized = 'error' in parsed ? ref : formatImageRef(parsed);
  return {
    async contentKey() {
      return `image:${(await w.images.resolve(normalized, platform)).digest}`;
    },
    async exec(_inputs, ctx) {
      const image = await w.images.resolve(normalized, platform);
      // The layer tar code loads only when an image is unpacked (never in a cached build).
      const { unpackImage } = await import('./layer-chain.js');
      const parent = [await unpackImage(image, w, ctx.signal)];
      return parent.map((id): Ref => ({ id }));
    },
  };
}

/**
 * `dockerfile:REL`: a directory the build file itself names, relative to the build file's
 * directory (a project.toml's buildpack `uri`), sent as its own local source. The build
 * file's author chose it, as a `--local` would; `..` may leave the build file's directory,
 * since project files do name buildpacks beside the app.
 */
function besideBuildFile(name: string, locals: ReadonlyMap<string, string>): string | undefined {
  if (!name.startsWith('dockerfile:')) return undefined;
  const base = locals.get('dockerfile');
  const rel = name.slice('dockerfile:'.length);
  return base && rel && !isAbsolute(rel) ? resolve(base, rel) : undefined;
}
