import { LocalSourceError } from './local-error.js';
import type { WalkContextOptions } from './walk-context.js';

/** BuildKit's attribute keys for a `local://` SourceOp that decide what is sent (client/llb/source.go). */
export const LOCAL_ATTR = Object.freeze({
  includePatterns: 'local.includepattern',
  excludePatterns: 'local.excludepatterns',
  followPaths: 'local.followpaths',
});

function stringList(attrs: Readonly<Record<string, string>>, key: string): string[] | undefined {
  const raw = attrs[key];
  if (raw === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new LocalSourceError('local/bad-attr', `${key} is not JSON: ${JSON.stringify(raw)}`, undefined, { cause: err });
  }
  // Go's json.Unmarshal of `null` into a []string leaves it nil: no list.
  if (value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string')) {
    throw new LocalSourceError('local/bad-attr', `${key} is not a JSON array of strings: ${JSON.stringify(raw)}`);
  }
  return value;
}

/**
 * The walk options a `local://` SourceOp's attributes ask for: the JSON arrays under
 * `local.includepattern`, `local.excludepatterns` and `local.followpaths`. Other `local.*`
 * attributes (`local.unique`, `local.sharedkeyhint`, `local.differ`) do not change what is sent.
 * Throws a LocalSourceError `local/bad-attr` for a value that is not a JSON array of strings.
 *
 * @example
 * localWalkOptions({ 'local.excludepatterns': '["*.log","!keep.log"]' }) // { exclude: ['*.log', '!keep.log'] }
 */
export function localWalkOptions(attrs: Readonly<Record<string, string>>): WalkContextOptions {
  const include = stringList(attrs, LOCAL_ATTR.includePatterns);
  const exclude = stringList(attrs, LOCAL_ATTR.excludePatterns);
  const followPaths = stringList(attrs, LOCAL_ATTR.followPaths);
  return {
    ...(include !== undefined ? { include } : {}),
    ...(exclude !== undefined ? { exclude } : {}),
    ...(followPaths !== undefined ? { followPaths } : {}),
  };
}
