// The entry of kiln's start-up snapshot. scripts/bundle.mjs bundles this file into one CommonJS
// file and runs it under `node --build-snapshot`: everything imported here is loaded and
// evaluated then, and V8 saves the heap. `dist/bundle/kiln` starts Node from that heap, so a
// command skips compiling and evaluating kiln's modules (~90 ms of a no-op build).
//
// Module-level state is frozen at snapshot time: modules read the environment, the terminal and
// the clock when called, never as they load (checked when this entry was written; keep it so).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { setModuleImporter } from '../frontends/registry.js';
import { adoptDeferredCaCerts } from '../runtime/net/extra-ca-certs.js';
import type { ModuleImporter } from '../frontends/registry.js';
import { main } from './main.js';
// What builds use, evaluated into the snapshot; the commands' dynamic imports then find them
// ready. Rarely used code (registries, image exporters, the other frontends) still loads on use.
import './commands/build-run.js';
import '../frontends/dockerfile/index.js';
import '../runtime/exporters/local-exporter.js';
import '../runtime/exporters/tar-exporter.js';
import '../runtime/worker/exec-op.js';
import '../runtime/worker/file-op.js';
import '../runtime/worker/layer-chain.js';

function run(argv: readonly string[]): void {
  adoptDeferredCaCerts();
  setModuleImporter(snapshotImporter());
  void main(argv).then((code) => process.exit(code));
}

/**
 * import() for third-party frontends. Code deserialised from a snapshot has no module loader
 * behind its import(), so a small script compiled now gets Node's default one.
 */
function snapshotImporter(): ModuleImporter {
  let load: ModuleImporter | undefined;
  return (url) => {
    load ??= compileImporter();
    return load(url);
  };
}

function compileImporter(): ModuleImporter {
  // Node 20 calls this loader option experimental and says so on stderr; kiln's users would not
  // know what the warning is about.
  const emitWarning = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    if (!String(warning).includes('USE_MAIN_CONTEXT_DEFAULT_LOADER')) (emitWarning as (...a: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    const script = new vm.Script('(url) => import(url)', { importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER });
    return script.runInThisContext() as ModuleImporter;
  } finally {
    process.emitWarning = emitWarning;
  }
}

// A Dockerfile of the usual instructions, compiled once as the snapshot is made.
const WARM_UP_DOCKERFILE = `# syntax=docker/dockerfile:1
ARG BASE=scratch
FROM \${BASE} AS base
ENV A=1 B="two words"
WORKDIR /src
COPY --chown=1:1 a.txt ./
RUN --mount=type=cache,target=/c echo "$A" > /out && ls -la /src
FROM base AS final
ARG V=1
LABEL v=$V
COPY --from=base /out /out
ADD a.txt /a/
USER 1000:1000
EXPOSE 8080
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["echo hi"]
`;

/**
 * Compiles a Dockerfile through the CLI while the snapshot is made. V8 keeps the bytecode of
 * every function that has run, so the argument parser, the Dockerfile parser and converter and
 * the LLB encoder start compiled (~40 ms of a no-op build). Only the compile path: a build would
 * leave processes, mounts and native handles that cannot go into a snapshot. Nothing it does is
 * remembered beyond bytecode and lexers; its output is dropped.
 */
async function warmUp(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-warm-up-'));
  const write = process.stdout.write;
  try {
    writeFileSync(join(dir, 'Dockerfile'), WARM_UP_DOCKERFILE);
    writeFileSync(join(dir, 'a.txt'), 'a\n');
    process.stdout.write = (() => true) as typeof process.stdout.write;
    const code = await main(['compile', dir, '--format', 'json', '--platform', 'linux/amd64']);
    if (code !== 0) throw new Error(`the snapshot's warm-up compile failed (exit ${code})`);
    // execa's ~100 modules, evaluated now rather than on a build's first RUN (~20 ms of it), and
    // its spawn path run once, as runc's is (~10 ms more). Fixed at this point: the
    // process.stdin/stdout/stderr objects it compares stdio options with (kiln never passes
    // those, 'inherit' or fd numbers to execa: a test holds it to that), and its verbose mode's
    // colours and symbols (kiln never turns it on). Its exit and signal hooks are only held while
    // a child runs, so none is left in the snapshot (a Ctrl-C test checks the build still cleans up).
    const { execa } = await import('execa');
    await execa('/bin/true', [], { stdin: 'ignore', buffer: false, reject: false });
  } finally {
    process.stdout.write = write;
    rmSync(dir, { recursive: true, force: true });
  }
}

if (v8.startupSnapshot.isBuildingSnapshot()) {
  v8.startupSnapshot.setDeserializeMainFunction(() => run(process.argv.slice(1)));
  // Node makes the snapshot once the event loop is empty, so after this has finished.
  warmUp().catch((err: unknown) => {
    process.stderr.write(`${String(err)}\n`);
    process.exitCode = 1;
  });
}
// Run as a plain script (`node kiln-snapshot.cjs …`), it is the CLI as it would be started from the snapshot.
else run(process.argv.slice(2));
