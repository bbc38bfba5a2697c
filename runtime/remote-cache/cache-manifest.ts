import type { Digest } from '../../compiler/index.js';
import { KilnError } from '../../compiler/index.js';

/** kiln's build-cache artifact: an OCI manifest whose config is a CacheConfig and whose layers are result layers. */
export const CACHE_CONFIG_TYPE = 'application/vnd.kiln.cache.config.v1+json';
export const CACHE_ARTIFACT_TYPE = 'application/vnd.kiln.cache.v1';
/** The image config field an inline cache lives in (as BuildKit's `moby.buildkit.cache.v0`). */
export const INLINE_CACHE_FIELD = 'kiln.cache.v1';

/** A layer blob of the artifact, with the digest of its uncompressed tar. */
export interface CacheLayer {
  readonly mediaType: string;
  readonly digest: Digest;
  readonly size: number;
  readonly diffId: string;
}

/** One solved step: its cache key and, per output, its result as indices into `layers`, lowest first. */
export interface CacheRecord {
  readonly key: string;
  readonly outputs: readonly (readonly number[])[];
}

/** The config blob: every layer once, every record pointing at them. */
export interface CacheConfig {
  readonly version: 1;
  readonly layers: readonly CacheLayer[];
  readonly records: readonly CacheRecord[];
}

/** Parses and checks a cache config; a damaged one is an error naming where it came from. */
export function parseCacheConfig(bytes: Uint8Array, from: string): CacheConfig {
  let c: CacheConfig;
  try {
    c = JSON.parse(new TextDecoder().decode(bytes)) as CacheConfig;
  } catch (err) {
    throw new KilnError('cache/bad-import', `${from}: the cache config is not JSON`, { cause: err });
  }
  const ok = c && c.version === 1 && Array.isArray(c.layers) && Array.isArray(c.records) &&
    c.records.every((r) => typeof r.key === 'string' && Array.isArray(r.outputs) && r.outputs.every((o: readonly number[]) => o.every((i: number) => Number.isInteger(i) && i >= 0 && i < c.layers.length)));
  if (!ok) throw new KilnError('cache/bad-import', `${from}: not a kiln cache (version 1) or its records point at missing layers`);
  return c;
}
