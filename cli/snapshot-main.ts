// The entry of kiln's start-up snapshot. scripts/bundle.mjs bundles this file into one CommonJS
// file and runs it under `node --build-snapshot`: everything imported here is loaded and
// evaluated then, and V8 saves the heap. `dist/bundle/kiln` starts Node from that heap, so a
// command skips compiling and evaluating kiln's modules (~90 ms of a no-op build).
//
// Module-level state is frozen at snapshot time: modules read the environment, the terminal and
// the clock when called, never as they load (checked when this entry was written; keep it so).
import v8 from 'node:v8';
import vm from 'node:vm';
import { setModuleImporter } from '../frontends/registry.js';
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

if (v8.startupSnapshot.isBuildingSnapshot()) v8.startupSnapshot.setDeserializeMainFunction(() => run(process.argv.slice(1)));
// Run as a plain script (`node kiln-snapshot.cjs …`), it is the CLI as it would be started from the snapshot.
else run(process.argv.slice(2));
