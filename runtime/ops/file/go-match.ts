import { patterns } from '../../../compiler/index.js';

/**
 * Go's `filepath.Match(pattern, name)` on Linux, as fsutil uses it to resolve a
 * wildcard COPY source or rm path: `*` and `?` stop at `/`, `[...]` classes,
 * `\` escapes. fsutil ignores Match's ErrBadPattern, so a malformed pattern
 * matches nothing here. (One implementation, shared with compiler/patterns.)
 *
 * @example
 * goMatch('conf/*.conf', 'conf/x.conf') // true
 * goMatch('*', 'a/b')                   // false
 */
export function goMatch(pattern: string, name: string): boolean {
  try {
    return patterns.filepathMatch(pattern, name);
  } catch (err) {
    if (err instanceof patterns.PatternError) return false;
    throw err;
  }
}
