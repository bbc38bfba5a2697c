import { createHash } from 'node:crypto';
import { constants, existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { llb } from '../../compiler/index.js';
import type { FrontendRequest } from '../../compiler/index.js';
import { BUILD_FILES } from '../../frontends/select.js';
import { resolveInRoot } from '../../runtime/ops/file/resolve-in-root.js';
import { UsageError } from '../errors.js';
import type { CompileArgs } from './compile.js';
import { parseBuildArgs, parsePairs } from './kv.js';

/** A build's request to its frontend, with the directories it names. */
export interface PreparedRequest {
  readonly request: FrontendRequest;
  /** The context directory and the build file, absolute. */
  readonly context: string;
  readonly file: string;
  /** The build file's text, for locating errors. */
  readonly text: string;
}


/**
 * Turns `kiln build` options into BuildKit-style frontend options: `--build-arg K=V` is
 * `build-arg:K`, `--opt k=v` passes as is, `--no-cache-filter A,B` is `no-cache=A,B`.
 */
export async function prepareRequest(args: CompileArgs & { readonly opt?: readonly string[]; readonly 'no-cache-filter'?: readonly string[] }): Promise<PreparedRequest> {
  const context = resolve(args.context ?? '.');
  // No -f: the first build file the context has (Dockerfile, Mockerfile.yaml, mocker.yaml, project.toml).
  const file = resolve(args.file ?? `${context}/${BUILD_FILES.find((f) => existsSync(`${context}/${f}`)) ?? 'Dockerfile'}`);
  const source = new Uint8Array(await readFile(file).catch((err: unknown) => {
    throw new UsageError(`cannot read the build file ${args.file ?? file}: ${(err as Error).message}`);
  }));
  const opts: { [k: string]: string } = {};
  for (const [k, v] of Object.entries(parseBuildArgs(args['build-arg']))) opts[`build-arg:${k}`] = v;
  for (const [k, v] of parsePairs(args.opt, '--opt')) opts[k] = v;
  const filters = (args['no-cache-filter'] ?? []).flatMap((f) => f.split(',')).filter((f) => f !== '');
  if (filters.length > 0) opts['no-cache'] = filters.join(',');
  let platform: llb.Platform | undefined;
  if (args.platform) {
    platform = llb.parsePlatform(args.platform);
    if (!platform) throw new UsageError(`invalid --platform ${JSON.stringify(args.platform)}: expected os/arch[/variant]`);
  }
  const locals: { [name: string]: string } = { context, dockerfile: resolve(file, '..') };
  const request: FrontendRequest = {
    source,
    filename: args.file ?? basename(file),
    opts,
    ...(args.target ? { target: args.target } : {}),
    ...(platform ? { platform } : {}),
    // Stable per context directory, so the same context keeps its cache; BuildKit uses a random id per client.
    sessionId: createHash('sha256').update(context).digest('hex').slice(0, 25),
    readLocalFile: async (local, path) => readConfined(locals[local], path),
  };
  return { request, context, file, text: new TextDecoder().decode(source) };
}

/** A file inside `root`, never through a symlink out of it; undefined when absent. */
async function readConfined(root: string | undefined, path: string): Promise<Uint8Array | undefined> {
  if (root === undefined) return undefined;
  try {
    const host = await resolveInRoot(root, path, { followFinal: true });
    const fh = await open(host, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return new Uint8Array(await fh.readFile());
    } finally {
      await fh.close();
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw err;
  }
}
