// Builds small directory trees for the local source tests, in a fresh temp dir per call.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A tree: path → file content, `{ link }` for a symlink, `{ dir: true }` for an empty directory. */
export type TreeSpec = Readonly<Record<string, string | { readonly link: string } | { readonly dir: true }>>;

/** Writes `spec` under `root` (created as needed). */
export function writeTree(root: string, spec: TreeSpec): void {
  for (const [path, what] of Object.entries(spec)) {
    const abs = join(root, path);
    mkdirSync(dirname(abs), { recursive: true });
    if (typeof what === 'string') writeFileSync(abs, what);
    else if ('link' in what) symlinkSync(what.link, abs);
    else mkdirSync(abs, { recursive: true });
  }
}

/** A temp directory removed by `cleanup()`. */
export function tempDir(prefix = 'kiln-local-'): { readonly dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
