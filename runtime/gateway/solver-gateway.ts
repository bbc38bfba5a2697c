import type { Stats } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import type { Definition, Gateway, ImageConfig, llb, Stat } from '../../compiler/index.js';
import { KilnError } from '../../compiler/index.js';
import { resolveInRoot } from '../ops/file/resolve-in-root.js';
import type { Snapshotter } from '../snapshot/index.js';
import type { SolveOptions, Solver } from '../solver/index.js';
import type { ImageSource } from '../worker/index.js';

/** What a SolverGateway serves frontends from. */
export interface SolverGatewayOptions {
  readonly solver: Solver;
  readonly snapshotter: Pick<Snapshotter, 'view'>;
  readonly images: ImageSource;
  /** The platform images resolve for when a frontend names none. */
  readonly platform: llb.Platform;
  /** Applied to every nested solve (cancellation, --no-cache). */
  readonly solveOptions?: SolveOptions;
  /** An image that cannot be resolved stays unpinned with an empty config (`kiln compile`). */
  readonly lenientImages?: boolean;
}

/** A path that is not in a result, or a result a frontend cannot read. */
export class GatewayError extends KilnError {}

/**
 * BuildKit's frontend gateway, in process: a frontend solves part of its graph (results are
 * cached like any other vertex, since they go through the same solver), looks inside the
 * result, and decides the rest. Paths are resolved inside the result's root as `/`: no path
 * or symlink in it reads anything outside.
 */
export class SolverGateway implements Gateway {
  readonly #o: SolverGatewayOptions;

  constructor(options: SolverGatewayOptions) {
    this.#o = options;
  }

  async solve(def: Definition, signal?: AbortSignal): Promise<{ readonly id: string }> {
    const outer = this.#o.solveOptions?.signal;
    const both = signal && outer ? AbortSignal.any([signal, outer]) : signal ?? outer;
    return this.#o.solver.solve(def, { ...this.#o.solveOptions, ...(both ? { signal: both } : {}) });
  }

  async readFile(ref: { readonly id: string }, path: string): Promise<Uint8Array> {
    return this.#inside(ref, path, true, async (p) => new Uint8Array(await readFile(p)));
  }

  async readDir(ref: { readonly id: string }, path: string): Promise<readonly Stat[]> {
    return this.#inside(ref, path, true, async (p) => {
      const names = (await readdir(p)).sort();
      return Promise.all(names.map(async (name) => statOf(name, `${p}/${name}`, await lstat(`${p}/${name}`))));
    });
  }

  async stat(ref: { readonly id: string }, path: string): Promise<Stat> {
    return this.#inside(ref, path, false, async (p) => statOf(path, p, await lstat(p)));
  }

  async resolveImageConfig(ref: string, platform?: llb.Platform): Promise<{ readonly ref: string; readonly digest: string; readonly config: ImageConfig }> {
    try {
      const r = await this.#o.images.resolve(ref, platform ?? this.#o.platform);
      return { ref, digest: r.digest, config: r.config as ImageConfig };
    } catch (err) {
      if (this.#o.lenientImages) return { ref, digest: '', config: {} };
      throw err;
    }
  }

  async #inside<T>(ref: { readonly id: string }, path: string, followFinal: boolean, fn: (hostPath: string) => Promise<T>): Promise<T> {
    const view = await this.#o.snapshotter.view(ref.id);
    try {
      const host = await resolveInRoot(view.dir, path, { followFinal });
      return await fn(host);
    } catch (err) {
      if (err instanceof KilnError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      const what = code === 'ENOENT' ? 'no such file or directory' : code === 'ENOTDIR' ? 'not a directory' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
      throw new GatewayError(`gateway/${code === 'ENOENT' ? 'not-found' : 'read-failed'}`, `${path}: ${what}`, { cause: err });
    } finally {
      await view.release();
    }
  }
}

async function statOf(path: string, host: string, st: Stats): Promise<Stat> {
  return {
    path,
    mode: st.mode,
    size: st.size,
    uid: st.uid,
    gid: st.gid,
    ...(st.isSymbolicLink() ? { linkname: await readlink(host) } : {}),
  };
}
