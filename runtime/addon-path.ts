import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A native addon's file in the nearest `node_modules/<relPath>` above the module at `fromUrl`:
 * Node's own search order for a package path, without require.resolve's probing of extensions
 * and package.json files (~4 ms for SQLite's addon, at every command). Undefined when none is
 * found; callers then fall back to require.
 */
export function findAddon(fromUrl: string, relPath: string): string | undefined {
  let dir: string;
  try {
    dir = dirname(fileURLToPath(fromUrl));
  } catch {
    return undefined;
  }
  for (;;) {
    const candidate = join(dir, 'node_modules', relPath);
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}
