import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { ImageStore } from '../../runtime/images/index.js';

/** Opens the image store of a state root for the length of `fn`. */
export async function withImageStore<T>(rootArg: string | undefined, fn: (store: ImageStore) => Promise<T>): Promise<T> {
  const { ContentStore, defaultRoot, lockRoot, StateDb } = await import('../../runtime/cache/index.js');
  const { ImageStore } = await import('../../runtime/images/index.js');
  const root = resolve(rootArg ?? defaultRoot());
  const lock = await lockRoot(root, { mode: 'shared' });
  const db = StateDb.open(root);
  try {
    return await fn(new ImageStore(new ContentStore(root), db));
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
        (b) => b.positional('path', { type: 'string', demandOption: true }).option('name', { type: 'string', describe: 'name the image REF' }).option('root', { type: 'string', describe: 'state directory' }),
        async (args) => {
          const loaded = await withImageStore(args.root, (s) => s.load(resolve(args.path), args.name));
          for (const l of loaded) process.stdout.write(`Loaded image: ${l.name} (${l.digest})\n`);
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
