import { KilnError } from '../../compiler/index.js';
import type { Operation, OperationResolver, Vertex } from '../solver/index.js';
import { execOp } from './exec-op.js';
import { fileOp, mergeOp } from './file-op.js';
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
    const op = v.op;
    if (op.source) {
      const id = op.source.identifier ?? '';
      if (id.startsWith('local://')) return localSource(v, this.#ctx);
      if (id.startsWith('docker-image://') || id.startsWith('oci-layout://')) return imageSource(v, this.#ctx);
      if (id.startsWith('https://') || id.startsWith('http://')) return httpSource(v, this.#ctx);
      return unsupported(`source ${id.split('://')[0]}:// is not supported by kiln's solver yet`);
    }
    if (op.exec) return execOp(v, this.#ctx);
    if (op.file) return fileOp(v, this.#ctx);
    if (op.merge) return mergeOp(v, this.#ctx);
    if (op.diff) return unsupported('diff ops are not supported by kiln\'s solver yet');
    return unsupported('build ops are not supported');
  }
}

function unsupported(message: string): Operation {
  return {
    exec: async () => {
      throw new KilnError('solver/unsupported', message);
    },
  };
}
