import { createHash } from 'node:crypto';
import { encodeMessage, llbSchema } from '../../compiler/index.js';
import type { Vertex } from './types.js';

/**
 * A vertex's cache key: the op without its input digests, the cache keys of
 * its inputs (with the output index used), and the content checksum of what
 * it reads. So an op whose inputs changed only in ways it does not read keeps
 * its key, and two graphs that build the same thing share results.
 */
export function cacheKeyOf(v: Vertex, inputKeys: readonly string[], content: string | undefined): string {
  const opWithoutInputs = encodeMessage(llbSchema, 'Op', { ...v.op, inputs: undefined });
  const h = createHash('sha256');
  h.update('kiln-cache-v1\0');
  h.update(opWithoutInputs);
  v.inputs.forEach((input, i) => h.update(`\0in${i}=${inputKeys[i]}#${input.index}`));
  if (content !== undefined) h.update(`\0content=${content}`);
  return `sha256:${h.digest('hex')}`;
}
