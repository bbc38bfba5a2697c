import { lstatSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { Digest } from '../../compiler/index.js';
import type { ContentStore, StateDb } from '../../runtime/cache/index.js';
import { UsageError } from '../errors.js';

/** `24h`, `30m`, `7d`, `90s` in milliseconds. */
function durationMs(s: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(s.trim());
  if (!m) throw new UsageError(`invalid duration ${JSON.stringify(s)}: expected a number and s, m, h or d (e.g. 24h)`);
  return Number(m[1]) * { s: 1e3, m: 60e3, h: 3600e3, d: 86400e3 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/** Bytes under a directory (files' sizes), not following links. */
function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += dirBytes(p);
    else n += lstatSync(p).size;
  }
  return n;
}

/** `512MB`, `1.5GB`, `10kB`, `4096` (bytes), as docker builder prune's --keep-storage. */
function sizeBytes(s: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)?$/i.exec(s.trim());
  if (!m) throw new UsageError(`invalid size ${JSON.stringify(s)}: expected a number of bytes with an optional unit (e.g. 512MB, 10GB)`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 }[(m[2] ?? 'b').toLowerCase() as 'b'];
  return Math.floor(Number(m[1]) * unit);
}

const human = (b: number): string => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(2)}GB` : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)}MB` : b >= 1024 ? `${(b / 1024).toFixed(1)}kB` : `${b}B`);

/** Blobs a named image needs: its manifest (or index and manifests), config and layers. */
async function reachableBlobs(db: StateDb, content: ContentStore): Promise<Set<string>> {
  const keep = new Set<string>();
  const visit = async (digest: string): Promise<void> => {
    if (keep.has(digest) || !(await content.has(digest as Digest))) return;
    keep.add(digest);
    const doc = JSON.parse(new TextDecoder().decode(await content.get(digest as Digest))) as { manifests?: { digest: string }[]; config?: { digest: string }; layers?: { digest: string }[] };
    for (const m of doc.manifests ?? []) await visit(m.digest);
    if (doc.config) keep.add(doc.config.digest);
    for (const l of doc.layers ?? []) keep.add(l.digest);
  };
  for (const i of db.images()) await visit(i.digest);
  return keep;
}

/** Opens a root under its exclusive lock (no build runs meanwhile) for `fn`. */
async function withRoot<T>(rootArg: string | undefined, mode: 'shared' | 'exclusive', fn: (x: { root: string; db: StateDb; content: ContentStore }) => Promise<T>): Promise<T> {
  const { ContentStore: Store, defaultRoot, lockRoot, StateDb: Db } = await import('../../runtime/cache/index.js');
  const root = resolve(rootArg ?? defaultRoot());
  const lock = await lockRoot(root, { mode });
  const db = Db.open(root);
  try {
    return await fn({ root, db, content: new Store(root) });
  } finally {
    db.close();
    await lock.release();
  }
}

/** `kiln prune` and `kiln du`: what the state root holds, and garbage collection. */
export function pruneCommands(y: Argv): Argv {
  return y
    .command(
      'prune',
      'Remove build cache and unused content from the state root (as buildctl prune)',
      (a) => a
        .option('all', { type: 'boolean', default: false, describe: 'remove every cache record not held by a named image, the frontend cache, context digests and export records' })
        .option('keep-duration', { type: 'string', describe: 'keep records used within this long (e.g. 24h)' })
        .option('keep-storage', { type: 'string', describe: 'remove least recently used records until the cache takes at most this much (e.g. 10GB)' })
        .option('root', { type: 'string', describe: 'state directory' }),
      async (args) => {
        const olderThanMs = args['keep-duration'] ? durationMs(args['keep-duration']) : undefined;
        const keepBytes = args['keep-storage'] !== undefined ? sizeBytes(args['keep-storage']) : undefined;
        if (!args.all && olderThanMs === undefined && keepBytes === undefined) throw new UsageError('kiln prune needs --all, --keep-duration DURATION or --keep-storage SIZE');
        await withRoot(args.root, 'exclusive', async ({ root, db, content }) => {
          const { prune } = await import('../../runtime/cache/index.js');
          const { createSnapshotter } = await import('../../runtime/snapshot/index.js');
          const snapshotter = await createSnapshotter(join(root, 'snapshots'));
          // Builds record no sizes (measuring every step's layer would slow them): a size-bound
          // prune measures each snapshot's own layer now, so the sum is what the cache takes.
          if (keepBytes !== undefined) {
            for (const ref of db.refs()) {
              if (ref.kind !== 'snapshot') continue;
              const own = (await snapshotter.layers(ref.id).catch(() => [] as readonly string[])).at(-1);
              if (own) db.addRef({ id: ref.id, kind: ref.kind, size: dirBytes(own) });
            }
          }
          const r = await prune(db, {
            ...(olderThanMs !== undefined ? { olderThanMs } : {}),
            ...(keepBytes !== undefined ? { keepBytes } : {}),
            removeRef: async (id) => snapshotter.remove(id).catch(() => undefined),
          });
          // Blobs no named image needs: pulled layers of images since renamed, cache exports, leftovers.
          const keep = await reachableBlobs(db, content);
          let blobBytes = 0;
          let blobs = 0;
          for (const b of await content.list()) {
            if (keep.has(b.digest)) continue;
            await content.delete(b.digest);
            blobBytes += b.size;
            blobs++;
          }
          await content.cleanTemp(0);
          // The notes of which blob an unpacked layer came from go with their snapshots.
          const { LayerBlobIndex } = await import('../../runtime/images/index.js');
          await new LayerBlobIndex(root).forgetExcept((id) => db.ref(id) !== undefined);
          // The frontend cache, the context files' digests and the local exports' records are
          // caches of their own: --all leaves a root that remembers nothing.
          if (args.all) for (const dir of ['frontend-cache', 'local-stat', 'exports']) await rm(join(root, dir), { recursive: true, force: true });
          process.stdout.write(`removed ${r.records.length} cache records, ${r.refs.length} snapshots, ${blobs} blobs (${human(blobBytes)})\n`);
        });
      },
    )
    .command(
      'du',
      'Show what the state root holds: cache records (least recently used first) and content',
      (a) => a.option('root', { type: 'string', describe: 'state directory' }),
      async (args) => {
        await withRoot(args.root, 'shared', async ({ root, db, content }) => {
          const { diskUsage } = await import('../../runtime/cache/index.js');
          const { createSnapshotter } = await import('../../runtime/snapshot/index.js');
          const snapshotter = await createSnapshotter(join(root, 'snapshots'));
          const usage = diskUsage(db);
          let total = 0;
          process.stdout.write(`${'SIZE'.padEnd(10)}${'LAST USED'.padEnd(22)}${'PINNED'.padEnd(8)}STEP\n`);
          for (const rec of usage.records) {
            let size = 0;
            for (const id of rec.refs) {
              const own = (await snapshotter.layers(id).catch(() => [] as readonly string[])).at(-1);
              if (own) size += dirBytes(own);
            }
            total += size;
            process.stdout.write(`${human(size).padEnd(10)}${new Date(rec.lastUsed).toISOString().slice(0, 19).padEnd(22)}${(rec.pinned ? 'yes' : '').padEnd(8)}${rec.vertex}\n`);
          }
          const blobs = await content.list();
          const blobBytes = blobs.reduce((n, b) => n + b.size, 0);
          process.stdout.write(`\nbuild cache: ${usage.records.length} records, ${human(total)}; content: ${blobs.length} blobs, ${human(blobBytes)}\n`);
        });
      },
    );
}
