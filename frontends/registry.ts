import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KilnError } from '../compiler/index.js';
import type { Frontend } from '../compiler/index.js';
import { buildpacksFrontend } from './buildpacks/index.js';
import { dockerfileFrontend } from './dockerfile/index.js';
import { mockerfileFrontend } from './mockerfile/index.js';

/** The frontends kiln ships, by the names `--frontend` takes (BuildKit's `dockerfile.v0` too). */
const builtins = new Map<string, Frontend>([
  ['dockerfile', dockerfileFrontend],
  ['dockerfile.v0', dockerfileFrontend],
  ['mockerfile', mockerfileFrontend],
  ['buildpacks', buildpacksFrontend],
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

/** A package's entry as resolved from the working directory (the user's project), else by name. */
function packageEntry(name: string): string {
  try {
    return pathToFileURL(createRequire(resolve('package.json')).resolve(name)).href;
  } catch {
    return name;
  }
}

/** Whether `--frontend` names a file rather than a built-in or a package. */
function isPath(name: string): boolean {
  return name.startsWith('.') || name.startsWith('/') || /\.(m?js|cjs)$/.test(name);
}

/**
 * The frontend `name` names: a built-in, a file (`./my-lang.js`, its default export or its
 * `frontend` export), or an npm package resolvable from the working directory
 * (`kiln-frontend-foo`). A third party's module only has to have the `Frontend` shape.
 *
 * @throws KilnError `frontend/unknown` or `frontend/load-failed` with the cause.
 */
export async function loadFrontend(name?: string): Promise<Frontend> {
  if (name === undefined || name === '' || builtins.has(name)) return frontendByName(name);
  let mod: { default?: unknown; frontend?: unknown };
  const spec = isPath(name) ? pathToFileURL(resolve(name)).href : packageEntry(name);
  try {
    mod = (await import(spec)) as typeof mod;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!isPath(name) && code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`)) {
      throw new KilnError('frontend/unknown', `unknown frontend ${JSON.stringify(name)}: not built in (${builtinFrontendNames().join(', ')}) and no npm package of that name`, { cause: err });
    }
    throw new KilnError('frontend/load-failed', `cannot load frontend ${name}: ${(err as Error).message}`, { cause: err });
  }
  const f = (mod.frontend ?? mod.default) as Partial<Frontend> | undefined;
  if (!f || typeof f.build !== 'function') {
    throw new KilnError('frontend/load-failed', `${name} is not a kiln frontend: it must export (default or \`frontend\`) an object with a build(request, gateway) method`);
  }
  return { name: f.name ?? name, build: f.build.bind(f), ...(f.detect ? { detect: f.detect.bind(f) } : {}) };
}
