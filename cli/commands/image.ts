import { join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { ImageStore } from '../../runtime/images/index.js';
import { snapshotCache } from './state-root.js';

/** Opens the image store of a state root for the length of `fn`. */
export async function withImageStore<T>(rootArg: string | undefined, fn: (store: ImageStore, unpack: (name: string) => Promise<void>) => Promise<T>): Promise<T> {
  const { ContentStore, defaultRoot, lockRoot, StateDb } = await import('../../runtime/cache/index.js');
  const { ImageStore } = await import('../../runtime/images/index.js');
  const root = resolve(rootArg ?? defaultRoot());
  const { needsRecovery, recoverIfIdle } = await import('./root-recovery.js');
  if (needsRecovery(root)) await recoverIfIdle(root, (m) => process.stderr.write(`warning: ${m}\n`));
  const lock = await lockRoot(root, { mode: 'shared' });
  const db = StateDb.open(root);
  const { bootId } = await import('../../runtime/cache/boot-id.js');
  db.trackUnsynced(bootId());
  const store = new ImageStore(new ContentStore(root), db);
  // As docker load does: the layers are unpacked now (once per layer stack), so a build's FROM is instant.
  const unpack = async (name: string) => {
    const { createSnapshotter } = await import('../../runtime/snapshot/index.js');
    const { unpackImage } = await import('../../runtime/worker/index.js');
    const { llb } = await import('../../compiler/index.js');
    const snapshotter = await createSnapshotter(join(root, 'snapshots'));
    const layers = await snapshotCache(db, snapshotter);
    const { LayerBlobIndex } = await import('../../runtime/images/index.js');
    await unpackImage(await store.resolve(name, llb.hostPlatform()), { snapshotter, layers, layerBlobs: new LayerBlobIndex(root) });
    // On disk before the command ends, as a build's snapshots are (see Snapshotter.sync).
    await snapshotter.sync?.();
    await db.markSynced();
  };
  try {
    return await fn(store, unpack);
  } finally {
    db.close();
    await lock.release();
  }
}

/** `kiln image load|ls`: kiln's local image store. */
export function imageCommand(y: Argv): Argv {
  return y.command('image', 'Manage the local image store', (a) =>
    a
      .command(
        'load <path>',
        'Import an OCI image layout (directory or tar) or a docker save tarball, like docker load',
        (b) => b.positional('path', { type: 'string', demandOption: true }).option('name', { type: 'string', describe: 'name the image REF' }).option('root', { type: 'string', describe: 'state directory' })
          .option('unpack', { type: 'boolean', default: true, describe: 'unpack the layers now (--unpack=false: at the first build that uses them)' }),
        async (args) => {
          await withImageStore(args.root, async (s, unpack) => {
            for (const l of await s.load(resolve(args.path), args.name)) {
              // An image for another platform stays packed: a build for that platform unpacks it.
              if (args.unpack) await unpack(l.name).catch((err: unknown) => {
                if (!(err instanceof Error && /no-platform/.test((err as { code?: string }).code ?? ''))) throw err;
              });
              process.stdout.write(`Loaded image: ${l.name} (${l.digest})\n`);
            }
          });
        },
      )
      .command(
        'ls',
        'List the images in the store',
        (b) => b.option('root', { type: 'string', describe: 'state directory' }),
        async (args) => {
          const list = await withImageStore(args.root, async (s) => s.list());
          process.stdout.write(`${['NAME'.padEnd(60), 'DIGEST'].join(' ')}\n`);
          for (const i of list) process.stdout.write(`${i.name.padEnd(60)} ${i.digest}\n`);
        },
      )
      .demandCommand(1, 'name an image subcommand: load or ls'),
  );
}
