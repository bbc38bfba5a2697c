import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KilnError } from '../compiler/index.js';
import type { Frontend } from '../compiler/index.js';

// Each built-in frontend is imported when first used: a build loads one language's parser
// and libraries, not all three (the YAML, TOML and JSON-schema code of the others cost a
// Dockerfile build tens of milliseconds of module loading).
const loadDockerfile = async (): Promise<Frontend> => (await import('./dockerfile/index.js')).dockerfileFrontend;
const loaders = new Map<string, () => Promise<Frontend>>([
  ['dockerfile', loadDockerfile],
  ['dockerfile.v0', loadDockerfile],
  ['mockerfile', async () => (await import('./mockerfile/index.js')).mockerfileFrontend],
  ['buildpacks', async () => (await import('./buildpacks/index.js')).buildpacksFrontend],
]);

/** A built-in frontend whose module loads on the first build. */
function lazyFrontend(name: string, load: () => Promise<Frontend>): Frontend {
  return { name, build: async (req, gw) => (await load()).build(req, gw) };
}

/** The frontends kiln ships, by the names `--frontend` takes (BuildKit's `dockerfile.v0` too). */
const builtins = new Map<string, Frontend>([...loaders].map(([name, load]) => [name, lazyFrontend(name === 'dockerfile.v0' ? 'dockerfile' : name, load)]));

/** Loads an ES module kiln did not bundle (a third party's frontend) by URL. */
export type ModuleImporter = (url: string) => Promise<unknown>;

let importModule: ModuleImporter = (url) => import(url);

/**
 * Replaces how third-party frontends are imported. kiln's start-up snapshot needs this:
 * code deserialised from a V8 snapshot has no `import()` of its own (see cli/snapshot-main.ts).
 */
export function setModuleImporter(importer: ModuleImporter): void {
  importModule = importer;
}

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
  if (name === undefined || name === '') return builtins.get('dockerfile')!;
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
  if (name === undefined || name === '') return loadDockerfile();
  const builtin = loaders.get(name);
  if (builtin) return builtin();
  let mod: { default?: unknown; frontend?: unknown };
  const spec = isPath(name) ? pathToFileURL(resolve(name)).href : packageEntry(name);
  try {
    mod = (await importModule(spec)) as typeof mod;
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
