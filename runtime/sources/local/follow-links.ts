import { lstat, readdir, readlink } from 'node:fs/promises';
import { patterns } from '../../../compiler/index.js';
import { LocalSourceError } from './local-error.js';
import { baseOf, compareNames, containsWildcards, joinPath, parentOf, rootedPath } from './local-path.js';

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function matchesName(matcher: InstanceType<typeof patterns.PatternMatcher>, name: string): boolean {
  try {
    return matcher.matches(name);
  } catch (err) {
    if (err instanceof patterns.PatternError) return false;
    throw err;
  }
}

/**
 * fsutil's `dedupePaths` on a list: drops a path under the one before it, and returns
 * undefined (no filter) when the list holds the root `.`.
 */
export function dedupePaths(paths: readonly string[]): string[] | undefined {
  const out: string[] = [];
  let last = '';
  for (const p of paths) {
    if (p === '.') return undefined;
    if (p.startsWith(`${last}/`)) continue;
    out.push(p);
    last = p;
  }
  return out;
}

/**
 * Resolves `followpaths` the way fsutil's `FollowLinks` does: every symlink met on the way
 * to a listed path (and the path itself, if it is one) is kept, and its target is resolved in
 * turn, so the result names the links and what they point to. Targets are read inside the
 * context only: an absolute target is taken from the context's root and `..` stops there, so
 * nothing outside `root` is ever looked at. A wildcard in a name (`dist/*.js`) is matched
 * against the directory's entries. Returns the sorted, de-duplicated paths to add to the
 * include patterns, or undefined when one of them is the whole context.
 *
 * @example
 * // ctx/current -> releases/v2
 * await followLinks('/ctx', ['current/app.js']) // ['current', 'releases/v2/app.js']
 */
export async function followLinks(root: string, paths: readonly string[]): Promise<string[] | undefined> {
  const resolved = new Set<string>();

  // One link of the chain: what `p` (relative to the context) points to, or undefined when it
  // is not a symlink or does not exist. With a wildcard in its last name, every matching entry.
  const readSymlink = async (p: string, allowWildcard: boolean): Promise<string[] | undefined> => {
    const base = baseOf(p);
    if (allowWildcard && containsWildcards(base)) {
      let names: string[];
      try {
        names = await readdir(root + rootedPath(parentOf(p)));
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw new LocalSourceError('local/read-failed', `readdir ${parentOf(p)}: ${(err as Error).message}`, parentOf(p), { cause: err });
      }
      let matcher: InstanceType<typeof patterns.PatternMatcher>;
      try {
        matcher = new patterns.PatternMatcher([base]);
      } catch (err) {
        // Go ignores filepath.Match's ErrBadPattern here: such a name matches nothing.
        if (err instanceof patterns.PatternError) return undefined;
        throw err;
      }
      let out: string[] | undefined;
      for (const name of names.sort(compareNames)) {
        if (!matchesName(matcher, name)) continue;
        const res = await readSymlink(joinPath(parentOf(p), name), false);
        if (res !== undefined) (out ??= []).push(...res);
      }
      return out;
    }
    const real = rootedPath(p);
    let target: string;
    try {
      const st = await lstat(root + real);
      if (!st.isSymbolicLink()) return undefined;
      target = await readlink(root + real);
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw new LocalSourceError('local/read-failed', `lstat ${p}: ${(err as Error).message}`, p, { cause: err });
    }
    const link = patterns.cleanPath(target);
    if (link.startsWith('/')) return [link];
    return [rootedPath(joinPath(parentOf(p), link))];
  };

  // Walks `p` one name at a time, so that every directory it passes through has been checked
  // for being a symlink before anything under it is looked up.
  const append = async (path: string): Promise<void> => {
    let p = joinPath('.', path);
    let current = '.';
    for (;;) {
      const slash = p.indexOf('/');
      const first = slash < 0 ? p : p.slice(0, slash);
      current = joinPath(current, first);
      const targets = await readSymlink(current, true);
      p = slash < 0 ? '' : p.slice(slash + 1);
      if ((p === '' || targets !== undefined) && resolved.has(current)) return;
      if (targets !== undefined) {
        resolved.add(current);
        for (const t of targets) await append(joinPath(t, p));
        return;
      }
      if (p === '') {
        resolved.add(current);
        return;
      }
    }
  };

  for (const p of paths) await append(p);
  // Go's sort.Strings: byte order.
  return dedupePaths([...resolved].sort(compareNames));
}
