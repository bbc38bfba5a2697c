import { KilnError } from '../compiler/index.js';
import type { Frontend } from '../compiler/index.js';
import { dockerfileFrontend } from './dockerfile/index.js';

/** The frontends kiln ships, by the names `--frontend` takes (BuildKit's `dockerfile.v0` too). */
const builtins = new Map<string, Frontend>([
  ['dockerfile', dockerfileFrontend],
  ['dockerfile.v0', dockerfileFrontend],
]);

/** The names `--frontend` accepts for the built-in frontends. */
export function builtinFrontendNames(): readonly string[] {
  return [...builtins.keys()];
}

/**
 * The frontend named `name`, or the Dockerfile frontend when none is named.
 *
 * @throws KilnError `frontend/unknown` naming the known frontends.
 */
export function frontendByName(name?: string): Frontend {
  if (name === undefined || name === '') return dockerfileFrontend;
  const f = builtins.get(name);
  if (!f) throw new KilnError('frontend/unknown', `unknown frontend ${JSON.stringify(name)}; known: ${builtinFrontendNames().join(', ')}`);
  return f;
}
