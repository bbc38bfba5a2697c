import { lstat, readdir } from 'node:fs/promises';
import { posix } from 'node:path';
import { goMatch } from './go-match.js';
import { cleanAbs, rootPath } from './resolve-in-root.js';

/** Whether one path component has a `*`, `?` or `[` that is not escaped (fsutil `containsWildcards`). */
export function containsWildcards(name: string): boolean {
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/**
 * Splits a path at its first component with a wildcard (fsutil `splitWildcards`): the literal
 * directory before it and the pattern from there on (empty when there is no wildcard).
 *
 * @example
 * splitWildcards('/conf/*.conf') // ['/conf', '*.conf']
 * splitWildcards('/data/')       // ['/data', '']
 */
export function splitWildcards(p: string): [string, string] {
  const literal: string[] = [];
  const pattern: string[] = [];
  for (const part of posix.normalize(p).split('/')) {
    if (pattern.length > 0 || containsWildcards(part)) pattern.push(part);
    else literal.push(part === '' ? '/' : part);
  }
  return [joinParts(literal), joinParts(pattern)];
}

// Go's filepath.Join: empty elements dropped, the result cleaned, "" when nothing is left.
function joinParts(parts: readonly string[]): string {
  const kept = parts.filter((s) => s !== '');
  return kept.length === 0 ? '' : posix.normalize(kept.join('/'));
}

/**
 * The paths under `root` that a wildcard source matches (fsutil `ResolveWildcards`), relative
 * to `root` and in walk order (siblings by name, bytewise). The literal directory before the
 * first wildcard is resolved inside the root (its last component followed only with
 * `followLinks`); a path without wildcards is returned as it is, whether it exists or not.
 *
 * @example
 * await resolveWildcards(ctx, '/conf/*.conf', true) // ['conf/x.conf']
 */
export async function resolveWildcards(root: string, src: string, followLinks: boolean): Promise<string[]> {
  const [dir, pattern] = splitWildcards(src);
  if (pattern === '') return [dir];
  const base = await rootPath(root, dir, followLinks);
  const out: string[] = [];
  await walk(base, '', pattern, slashes(pattern), out);
  const prefix = base === root ? '' : `${base.slice(root.length + 1)}/`;
  return out.map((rel) => `${prefix}${rel}`);
}

function slashes(s: string): number {
  let n = 0;
  for (const c of s) if (c === '/') n++;
  return n;
}

function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * filepath.Walk from `base`, keeping what the pattern matches and not entering a matched
 * directory. A directory deeper than the pattern has `/`s is not entered either: `*`, `?`
 * never match a `/`, so nothing below it could match (Go walks it and finds nothing).
 */
async function walk(base: string, rel: string, pattern: string, depth: number, out: string[]): Promise<void> {
  const host = rel === '' ? base : `${base}/${rel}`;
  // Go's Walk passes a missing root's lstat error to fsutil, which returns it: a wildcard in
  // a directory that does not exist is an error even with allowEmptyWildcard.
  const isDir = (await lstat(host)).isDirectory();
  if (rel !== '') {
    if (goMatch(pattern, rel)) {
      out.push(rel);
      return;
    }
    if (slashes(rel) >= depth) return;
  }
  if (!isDir) return;
  const names = (await readdir(host)).sort(byteOrder);
  for (const name of names) await walk(base, rel === '' ? name : `${rel}/${name}`, pattern, depth, out);
}

/** fsutil's `cleanPath` for LLB paths: absolute and clean, keeping a final `/` or `/.`. */
export function cleanLlbPath(s: string): string {
  let out = cleanAbs(s);
  if (s.endsWith('/.')) {
    if (out !== '/') out += '/';
    out += '.';
  } else if (s.endsWith('/') && out !== '/') {
    out += '/';
  }
  return out;
}
