import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The folder of a shared corpus, read in place: `../shared/corpus/<name>` next
 * to the checkout (or `$KILN_SHARED/corpus/<name>`).
 */
export function corpusDir(name: string): string {
  const shared = process.env.KILN_SHARED ?? join(repoRoot, '..', 'shared');
  const dir = join(shared, 'corpus', name);
  if (!existsSync(dir)) throw new Error(`corpus ${name} not found at ${dir}: set KILN_SHARED to the shared/ folder`);
  return dir;
}

/** The checkout's root folder. */
export { repoRoot };
