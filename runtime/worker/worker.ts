import { KilnError } from '../../compiler/index.js';
import type { Operation, OperationResolver, Vertex } from '../solver/index.js';
import { gitSource } from './git-source.js';
import { httpSource } from './http-source.js';
import { imageSource, localSource } from './source-ops.js';
import type { WorkerContext } from './worker-context.js';

/** Maps LLB ops to what runs them on this machine (BuildKit's worker). */
export class Worker implements OperationResolver {
  readonly #ctx: WorkerContext;

  constructor(ctx: WorkerContext) {
    this.#ctx = ctx;
  }

  resolve(v: Vertex): Operation {
    const op = this.#resolve(v);
    const snapshotter = this.#ctx.snapshotter;
    return {
      ...op,
      exec: (inputs, ctx) => {
        // A step is about to run: mounts follow soon, in it or the next one.
        snapshotter.warm?.();
        return op.exec(inputs, ctx);
      },
    };
  }

  #resolve(v: Vertex): Operation {
    const op = v.op;
    if (op.source) {
      const id = op.source.identifier ?? '';
      if (id.startsWith('local://')) return localSource(v, this.#ctx);
      if (id.startsWith('docker-image://') || id.startsWith('oci-layout://')) return imageSource(v, this.#ctx);
      if (id.startsWith('https://') || id.startsWith('http://')) return httpSource(v, this.#ctx);
      if (id.startsWith('git://')) return gitSource(v, this.#ctx);
      return unsupported(`source ${id.split('://')[0]}:// is not supported by kiln's solver yet`);
    }
    if (op.exec) return loaded(async () => (await import('./exec-op.js')).execOp(v, this.#ctx), true);
    if (op.file) return loaded(async () => (await import('./file-op.js')).fileOp(v, this.#ctx));
    if (op.merge) return loaded(async () => (await import('./file-op.js')).mergeOp(v, this.#ctx));
    if (op.diff) return loaded(async () => (await import('./file-op.js')).diffOp(v, this.#ctx));
    return unsupported('build ops are not supported');
  }
}

/**
 * An op whose code loads when it first runs: a build whose steps are all cached never loads
 * the executor or the file actions (start-up is most of a no-op build). Only sources have
 * content keys, asked before anything runs; these ops have none.
 */
function loaded(load: () => Promise<Operation>, runsProcess = false): Operation {
  return {
    ...(runsProcess ? { runsProcess } : {}),
    exec: async (inputs, ctx) => (await load()).exec(inputs, ctx),
  };
}

function unsupported(message: string): Operation {
  return {
    exec: async () => {
      throw new KilnError('solver/unsupported', message);
    },
  };
}
