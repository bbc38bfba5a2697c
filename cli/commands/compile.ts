import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { Argv } from 'yargs';
import { dumpJsonLines, llb } from '../../compiler/index.js';
import type { Definition, Gateway } from '../../compiler/index.js';
import { patterns } from '../../compiler/index.js';
import type { CompiledDockerfile, ResolveImageConfig } from '../../frontends/index.js';
import type { ImageSource } from '../../runtime/worker/index.js';
import type { BuildArgs } from './build-run.js';
import { parseBuildArgs } from './kv.js';
import { fromFrontend, UsageError } from '../errors.js';

/** Options shared by `kiln compile` and `kiln build`. */
export interface CompileArgs {
  readonly context: string;
  readonly file?: string;
  readonly target?: string;
  readonly 'build-arg'?: readonly string[];
  readonly platform?: string;
  readonly 'image-layout'?: readonly string[];
}

/** Adds the Dockerfile options to a command. */
export function compileOptions<T>(y: Argv<T>) {
  return y
    .positional('context', { type: 'string', default: '.', describe: 'build context directory' })
    .option('file', { alias: 'f', type: 'string', describe: 'Dockerfile (default: CONTEXT/Dockerfile)' })
    .option('target', { type: 'string', describe: 'stage to build (default: the last)' })
    .option('build-arg', { type: 'string', array: true, describe: 'build argument NAME=VALUE (NAME alone takes it from the environment)' })
    .option('platform', { type: 'string', describe: 'target platform, e.g. linux/arm64' })
    .option('image-layout', { type: 'string', array: true, describe: 'resolve base images from these OCI image layout directories' });
}


async function layoutsResolver(dirs: readonly string[]): Promise<ResolveImageConfig | undefined> {
  if (dirs.length === 0) return undefined;
  const { OciLayout } = await import('../../runtime/oci/oci-layout.js');
  const layouts = await Promise.all(dirs.map((d) => OciLayout.open(d)));
  return async (ref, platform) => {
    let last: unknown;
    for (const l of layouts) {
      try {
        const { digest, config } = await l.resolve(ref, platform);
        return { digest, config };
      } catch (err) {
        last = err;
      }
    }
    throw last;
  };
}

/** Reads `<Dockerfile>.dockerignore`, else the context's `.dockerignore`. */
async function ignorePatterns(dockerfile: string, context: string): Promise<string[]> {
  for (const p of [`${dockerfile}.dockerignore`, join(context, '.dockerignore')]) {
    if (existsSync(p)) return patterns.readIgnoreFile(await readFile(p, 'utf8'));
  }
  return [];
}

/** Compiles the Dockerfile a command names. */
export async function compileFromArgs(args: CompileArgs, images?: ImageSource): Promise<CompiledDockerfile> {
  // The Dockerfile frontend (and its parser library) loads only when a Dockerfile is compiled.
  const { compileDockerfile } = await import('../../frontends/dockerfile/index.js');
  const context = resolve(args.context);
  const file = resolve(args.file ?? join(context, 'Dockerfile'));
  const text = await readFile(file, 'utf8');
  let targetPlatform: llb.Platform | undefined;
  if (args.platform) {
    targetPlatform = llb.parsePlatform(args.platform);
    if (!targetPlatform) throw new UsageError(`invalid --platform ${JSON.stringify(args.platform)}: expected os/arch[/variant]`);
  }
  const resolveImageConfig: ResolveImageConfig | undefined = images
    ? async (ref, platform) => {
      const r = await images.resolve(ref, platform);
      return { digest: r.digest, config: r.config };
    }
    : await layoutsResolver(args['image-layout'] ?? []);
  return compileDockerfile(text, args.file ? file : basename(file), {
    ...(args.target ? { target: args.target } : {}),
    buildArgs: parseBuildArgs(args['build-arg']),
    ...(targetPlatform ? { targetPlatform } : {}),
    ...(resolveImageConfig ? { resolveImageConfig } : {}),
    excludePatterns: await ignorePatterns(file, context),
    // Stable per context directory, so the same context keeps its cache; BuildKit uses a random id per client.
    localUniqueId: createHash('sha256').update(context).digest('hex').slice(0, 25),
  });
}

/** A Gateway with no solver behind it: images resolve from `--image-layout` directories, or stay unpinned. */
async function compileGateway(dirs: readonly string[]): Promise<Gateway> {
  const layouts = await layoutsResolver(dirs);
  const noSolver = async (): Promise<never> => {
    throw new UsageError('this frontend runs build steps while it compiles (nested solves): use kiln build');
  };
  return {
    solve: noSolver, readFile: noSolver, readDir: noSolver, stat: noSolver,
    resolveImageConfig: async (ref, platform) => {
      if (!layouts) return { ref, digest: '', config: {} };
      const r = await layouts(ref, platform ?? llb.hostPlatform());
      return { ref, digest: r.digest, config: r.config };
    },
  };
}

/** `kiln compile`: a build file to LLB on standard output. */
export function compileCommand(y: Argv): Argv {
  return y.command(
    'compile [context]',
    'Compile a build file (Dockerfile, Mockerfile, …) to LLB: a marshaled pb.Definition on stdout (pipe it to `buildctl build`), or JSON',
    (a) =>
      compileOptions(a)
        .option('frontend', { type: 'string', describe: 'build language: dockerfile, mockerfile, or a frontend file or package (default: by the file\'s name)' })
        .option('opt', { type: 'string', array: true, describe: 'frontend option KEY=VALUE' })
        .option('format', { choices: ['pb', 'json'] as const, default: 'pb' as const, describe: 'pb: binary Definition; json: one op per line as `kiln llb dump`' })
        .option('image-config', { type: 'string', describe: 'write the image config JSON to this file' })
        .option('root', { type: 'string', describe: 'state directory for frontends that run build steps while compiling (as root)' }),
    async (args) => {
      const { prepareRequest } = await import('./frontend-request.js');
      const { chooseFrontendName } = await import('../../frontends/select.js');
      const prepared = await prepareRequest(args as unknown as CompileArgs);
      const name = chooseFrontendName(args.frontend, prepared.file, prepared.request.source);
      let definition: Definition;
      let image: unknown;
      if (name === 'dockerfile' || name === 'dockerfile.v0') {
        const compiled = await compileFromArgs({ ...(args as unknown as CompileArgs), file: prepared.file });
        definition = compiled.definition;
        image = compiled.image;
      } else if (process.getuid?.() === 0 && existsSync('/usr/sbin/runc')) {
        // Frontends may look at partial results (nested solves): give them this machine's solver.
        const { runBuild } = await import('./build-run.js');
        await runBuild({
          ...(args as unknown as BuildArgs), file: prepared.file, frontend: name, progress: 'plain',
          emit: { format: args.format, ...(args['image-config'] ? { imageConfigFile: args['image-config'] } : {}) },
        });
        return;
      } else {
        const { loadFrontend } = await import('../../frontends/registry.js');
        const result = await (await loadFrontend(name)).build(prepared.request, await compileGateway(args['image-layout'] ?? []))
          .catch((err: unknown) => { throw fromFrontend(name, err); });
        definition = result.definition;
        image = result.imageConfig;
      }
      if (args['image-config']) await writeFile(args['image-config'], `${JSON.stringify(image, null, 2)}\n`);
      if (args.format === 'json') process.stdout.write(dumpJsonLines(definition).map((l) => `${l}\n`).join(''));
      else process.stdout.write(definition.marshal());
    },
  );
}
