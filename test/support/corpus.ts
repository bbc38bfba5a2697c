import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where shared/ may be: $KILN_SHARED, beside the checkout, or beside the local repo it was cloned from. */
function sharedCandidates(): string[] {
  const out = [join(repoRoot, '..', 'shared')];
  if (process.env.KILN_SHARED) out.unshift(process.env.KILN_SHARED);
  try {
    const origin = execFileSync('git', ['-C', repoRoot, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8' }).trim();
    if (isAbsolute(origin)) out.push(join(origin, '..', 'shared'));
  } catch {
    // not a clone of a local repository
  }
  return out;
}

/**
 * The folder of a shared corpus, read in place: `shared/corpus/<name>` next to
 * the checkout (or `$KILN_SHARED/corpus/<name>`).
 */
export function corpusDir(name: string): string {
  const candidates = sharedCandidates().map((s) => join(s, 'corpus', name));
  const dir = candidates.find((d) => existsSync(d));
  if (!dir) throw new Error(`corpus ${name} not found (looked in ${candidates.join(', ')}): set KILN_SHARED to the shared/ folder`);
  return dir;
}

/** The checkout's root folder. */
export { repoRoot };
