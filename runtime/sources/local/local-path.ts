// Path helpers shared by the walker, the symlink resolver and the checksums. Paths inside a
// context are relative, '/'-separated and cleaned, as fsutil reports them on Linux.
import { patterns } from '../../../compiler/index.js';

/**
 * Orders names as Go sorts directory entries: by UTF-8 bytes, which is code point order
 * (JavaScript's `<` compares UTF-16 units and misplaces U+E000..U+FFFF).
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** Go's `filepath.Join(elems...)`: the non-empty elements joined by `/`, then cleaned. */
export function joinPath(...elems: readonly string[]): string {
  const parts = elems.filter((e) => e !== '');
  return parts.length === 0 ? '' : patterns.cleanPath(parts.join('/'));
}

/**
 * Where a path points inside the context: cleaned as if rooted at the context, so `..` stops
 * at the root and an absolute path (a symlink's `/etc/passwd`) names `etc/passwd` in it.
 * Returns `/`-rooted text (`'/'` for the root itself), to be appended to the context's path.
 */
export function rootedPath(path: string): string {
  return patterns.cleanPath(`/${path}`);
}

/** Go's `filepath.Dir` on a relative path (`'a'` → `'.'`). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? '.' : patterns.cleanPath(path.slice(0, i + 1));
}

/** Go's `filepath.Base`. */
export function baseOf(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return path === '' ? '.' : '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** fsutil's `containsWildcards`: an unescaped `*`, `?` or `[`. */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const ch = name[i];
    if (ch === '\\') i++;
    else if (ch === '*' || ch === '?' || ch === '[') return true;
  }
  return false;
}
