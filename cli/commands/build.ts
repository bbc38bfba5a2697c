import type { Argv } from 'yargs';
import { compileOptions } from './compile.js';
import type { BuildArgs } from './build-run.js';

/** `kiln build`: compile (or read) LLB, solve it on this machine, export the result. */
export function buildCommand(y: Argv): Argv {
  return y.command(
    'build [context]',
    'Build a Dockerfile (or an LLB definition) with runc and export the result',
    (a) =>
      compileOptions(a)
        .option('frontend', { type: 'string', describe: 'build language: dockerfile (default)' })
        .option('opt', { type: 'string', array: true, describe: 'frontend option KEY=VALUE, as buildctl --opt' })
        .option('llb', { type: 'string', describe: 'solve this marshaled pb.Definition (- for stdin) instead of a Dockerfile' })
        .option('local', { type: 'string', array: true, describe: 'local source NAME=DIR for --llb graphs' })
        .option('output', {
          alias: 'o', type: 'string',
          describe: 'type=local,dest=DIR | type=tar,dest=FILE|- | type=oci,dest=FILE|DIR[,tar=false][,name=REF] | type=docker,dest=FILE,name=REF | type=image,name=REF[,push=true]; options compression=gzip|zstd, annotation.KEY=VALUE; default: build and cache only',
        })
        .option('cache-to', { type: 'string', array: true, describe: 'export the build cache: type=local,dest=DIR or type=registry,ref=REF [,mode=min|max]' })
        .option('cache-from', { type: 'string', array: true, describe: 'import a build cache: type=local,src=DIR or type=registry,ref=REF' })
        .option('insecure-registry', { type: 'string', array: true, describe: 'registry HOST[:PORT] spoken to over plain http (loopback always is)' })
        .option('no-cache', { type: 'boolean', default: false, describe: 'run every step' })
        .option('no-cache-filter', { type: 'string', array: true, describe: 'run the steps of these stages' })
        .option('secret', { type: 'string', array: true, describe: 'id=ID,src=FILE or id=ID,env=VAR' })
        .option('ssh', { type: 'string', array: true, describe: 'default[=SOCKET] (SSH_AUTH_SOCK by default)' })
        .option('progress', { choices: ['auto', 'tty', 'plain', 'rawjson'] as const, default: 'auto' as const })
        .option('root', { type: 'string', describe: 'state directory (default /var/lib/kiln as root, $XDG_DATA_HOME/kiln otherwise)' }),
    async (args) => {
      const { runBuild } = await import('./build-run.js');
      await runBuild(args as unknown as BuildArgs);
    },
  );
}
