// Go's path helpers as patternmatcher and fsutil use them on Linux ('/' separator). Patterns and
// walked paths go through these, so their corner cases (".." at the root, trailing slashes,
// Unicode spaces) decide what a .dockerignore line means.

/**
 * Go's `filepath.Clean`: the shortest lexically equivalent path. `""` → `"."`, `"a//b/./c/.."`
 * → `"a/b"`, `"/.."` → `"/"`, `"../a"` stays.
 */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      // A ".." cancels a real name; at the root it is dropped, in a relative path it is kept.
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

/** Go's `filepath.Dir`: everything before the last `/`, cleaned (`"a"` → `"."`, `"a/b/"` → `"a/b"`). */
export function dirOf(path: string): string {
  return cleanPath(path.slice(0, path.lastIndexOf('/') + 1));
}

// Go's unicode.IsSpace is exactly the Unicode White_Space property (it includes U+0085 and
// excludes U+FEFF, unlike String.prototype.trim).
const LEADING_SPACE = /^\p{White_Space}+/u;
const TRAILING_SPACE = /\p{White_Space}+$/u;

/** Go's `strings.TrimSpace`. */
export function trimSpace(s: string): string {
  return s.replace(LEADING_SPACE, '').replace(TRAILING_SPACE, '');
}

/**
 * Orders names as Go sorts directory entries: by UTF-8 bytes, which is code point order.
 * JavaScript's `<` compares UTF-16 units and puts U+E000..U+FFFF after astral characters.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.codePointAt(i)! - b.codePointAt(i)!;
  }
  return a.length - b.length;
}

/** Orders relative paths as a depth-first walk visits them: parents first, siblings by name. */
export function comparePaths(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) {
    const c = compareNames(x[i]!, y[i]!);
    if (c !== 0) return c;
  }
  return x.length - y.length;
}
