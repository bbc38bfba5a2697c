import { resolve } from 'node:path';
import type { Definition, Digest } from '../../compiler/index.js';
import { StagedExport } from '../../runtime/exporters/staged-export.js';
import type { ProgressEvent, Ref, Vertex } from '../../runtime/solver/index.js';
import type { Snapshotter } from '../../runtime/snapshot/index.js';

/** How long after its first container step starts a build is past starting it (runc takes ~50-100 ms here). */
const CONTAINER_START_MS = 150;

/** What build-run hands the solver's callbacks, and what the export takes at the end. */
export interface ExportStager {
  onEvent(e: ProgressEvent): void;
  onResult(v: Vertex, refs: readonly Ref[]): void;
  /** The staged export, when one was started. */
  readonly staged: StagedExport | undefined;
}

/**
 * For `--output type=local`: copies the result's bottom layers beside the destination while the
 * build runs (see StagedExport), so the export at the end copies only what the build added.
 * The bottom is the step the result's first inputs lead down to (its stage's base image); its
 * layers are staged once that step is done and a container step has run for a while: starting
 * containers is kiln's busiest moment (specs, mounts, runc), and the copy shares the event loop
 * with it. A build whose steps are all cached starts no container, and exports nothing new or
 * nothing at all.
 */
export function exportStager(output: ReadonlyMap<string, string> | undefined, def: Definition, snapshotter: Pick<Snapshotter, 'layers'>, signal: AbortSignal): ExportStager | undefined {
  if (output?.get('type') !== 'local') return undefined;
  const dest = resolve(output.get('dest') ?? '');
  const ops = new Map(def.ops().map((o) => [o.digest, o.op]));
  let bottom: Digest = def.head().digest;
  for (let input = ops.get(bottom)?.inputs?.[0]; input?.digest; input = ops.get(bottom)?.inputs?.[0]) bottom = input.digest as Digest;
  let layers: readonly string[] | undefined;
  let running = false;
  let started = false;
  let staged: StagedExport | undefined;
  const maybeStart = (): void => {
    if (started || !layers || !running) return;
    started = true;
    staged = StagedExport.start(dest, layers, signal);
  };
  return {
    onEvent(e) {
      if (e.kind !== 'started' || running || !ops.get(e.vertex as Digest)?.exec) return;
      running = true;
      setTimeout(() => {
        if (!signal.aborted) maybeStart();
      }, CONTAINER_START_MS).unref();
    },
    onResult(v, refs) {
      if (v.digest !== bottom || layers || !refs[0]) return;
      snapshotter.layers(refs[0].id).then((l) => {
        layers = l;
        maybeStart();
      }, () => undefined);
    },
    get staged() {
      return staged;
    },
  };
}
