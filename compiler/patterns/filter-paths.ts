import { cleanPath, comparePaths, dirOf } from './go-path.js';
import { PathFilter } from './path-filter.js';
import type { FilterOptions } from './path-filter.js';

/** A listed path's key: cleaned, relative, or undefined for the root (which a walk never reports). */
function keyOf(path: string): string | undefined {
  let key = cleanPath(path);
  if (key.startsWith('/')) key = key.slice(1);
  return key === '' || key === '.' ? undefined : key;
}

/**
 * Filters a listing of a directory tree with BuildKit's include/exclude semantics, as a walk
 * of a local context (or a COPY source) would: the result is what the walk would report, in
 * walk order (depth first, siblings by name in byte order).
 *
 * `paths` are relative to the tree's root; a trailing `/` marks a directory, and so does having
 * listed descendants. Ancestors that are not listed still take part in the walk (they exist
 * on disk) but only listed paths are returned, each spelled as given.
 *
 * - With `include`, a path is kept if a pattern matches it or a parent directory; the
 *   directories above a kept path are kept too, even if no pattern matches them.
 * - With `exclude`, a matched path is dropped, and so is everything under it unless a later
 *   `!exception` matches; a kept exception brings back its parent directories.
 *
 * Throws a PatternError for a malformed pattern list.
 *
 * @example
 * filterPaths(['a/', 'a/b', 'a/c', 'd'], { include: ['a/b'] })       // ['a/', 'a/b']
 * filterPaths(['foo/', 'foo/bar', 'foo2'], { exclude: ['foo*', '!foo/bar'] }) // ['foo/', 'foo/bar']
 */
export function filterPaths(paths: readonly string[], options: FilterOptions = {}): string[] {
  const listed = new Map<string, string>();
  const dirs = new Set<string>();
  for (const path of paths) {
    const key = keyOf(path);
    if (key === undefined) continue;
    if (!listed.has(key)) listed.set(key, path);
    if (path.endsWith('/')) dirs.add(key);
  }
  const tree = new Set(listed.keys());
  for (const key of listed.keys()) {
    for (let d = dirOf(key); d !== '.' && d !== '/'; d = dirOf(d)) {
      tree.add(d);
      dirs.add(d);
    }
  }

  const filter = new PathFilter(options);
  const out: string[] = [];
  const report = (key: string): void => {
    const spelled = listed.get(key);
    if (spelled !== undefined) out.push(spelled);
  };
  // A walk does not enter a directory it was told to skip: its subtree follows it in this order.
  let skipped: string | undefined;
  for (const key of [...tree].sort(comparePaths)) {
    if (skipped !== undefined && key.startsWith(skipped)) continue;
    skipped = undefined;
    const r = filter.visit(key, dirs.has(key));
    if (r.action === 'skip-dir') skipped = `${key}/`;
    else if (r.action === 'keep') {
      r.parents.forEach(report);
      report(key);
    }
  }
  return out;
}
