import { availableParallelism } from 'node:os';
import type { Definition, Digest } from '../../compiler/index.js';
import { KilnError } from '../../compiler/index.js';
import { cacheKeyOf } from './cache-key.js';
import { loadDefinition } from './load.js';
import { abortError, Semaphore } from './semaphore.js';
import type { CacheStore, OperationResolver, ProgressEvent, Ref, Vertex } from './types.js';

/** A step that failed, with the vertex it belongs to; the original error is the `cause`. */
export class SolveError extends KilnError {
  readonly vertex: Vertex;

  constructor(vertex: Vertex, cause: unknown) {
    const msg = cause instanceof Error ? cause.message : String(cause);
    super(cause instanceof KilnError ? cause.code : 'solve/failed', `${vertex.name}: ${msg}`, { cause });
    this.vertex = vertex;
  }
}

export interface SolverOptions {
  readonly resolver: OperationResolver;
  readonly cache: CacheStore;
  /** Ops that work in kiln's own process (file ops, sources, hashing) run at once; the number of cores by default. */
  readonly concurrency?: number;
  /**
   * Container processes run at once; 4x the cores by default. BuildKit sets no
   * bound by default; kiln keeps one so a wide graph cannot fork hundreds of
   * containers, but a generous one: containers mostly wait (sleep, network, disk).
   */
  readonly processConcurrency?: number;
  readonly onEvent?: (e: ProgressEvent) => void;
}

export interface SolveOptions {
  readonly signal?: AbortSignal;
  /** Run every step (true), or the steps of these vertices, even when cached. */
  readonly noCache?: boolean | ((v: Vertex) => boolean);
}

interface Solved {
  readonly key: string;
  readonly refs: readonly Ref[];
  /**
   * Ran in this solve because the cache was to be ignored, here or upstream. Its key is the
   * same as last time, but its content may not be: what depends on it must run too, or a
   * `--no-cache-filter` stage would hand its dependents last build's results.
   */
  readonly fresh: boolean;
}

/**
 * Runs LLB graphs: each vertex once per solve, independent vertices
 * concurrently (bounded), results looked up and stored by cache key, identical
 * work shared between concurrent solves, and everything cancelled on the first
 * failure or when the caller aborts.
 */
export class Solver {
  readonly #opts: SolverOptions;
  readonly #slots: Semaphore;
  readonly #processSlots: Semaphore;
  /** In-flight executions by cache key, shared by all solves of this solver. */
  readonly #inflight = new Map<string, Promise<readonly Ref[]>>();

  constructor(opts: SolverOptions) {
    this.#opts = opts;
    this.#slots = new Semaphore(opts.concurrency ?? availableParallelism());
    this.#processSlots = new Semaphore(opts.processConcurrency ?? 4 * availableParallelism());
  }

  /** Solves a Definition; resolves to the result ref. */
  async solve(def: Definition, opts: SolveOptions = {}): Promise<Ref> {
    const graph = loadDefinition(def);
    const abort = new AbortController();
    const onOuterAbort = () => abort.abort(opts.signal?.reason);
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    if (opts.signal?.aborted) abort.abort(opts.signal.reason);
    const memo = new Map<Vertex, Promise<Solved>>();
    const visit = (v: Vertex): Promise<Solved> => {
      let p = memo.get(v);
      if (!p) {
        p = this.#solveVertex(v, visit, abort.signal, opts);
        // The first failure cancels every other step of this solve.
        p.catch((err: unknown) => abort.abort(err));
        memo.set(v, p);
      }
      return p;
    };
    try {
      const solved = await visit(graph.result.vertex);
      const ref = solved.refs[graph.result.index];
      if (!ref) throw new KilnError('solve/no-output', `${graph.result.vertex.name} has no output ${graph.result.index}`);
      return ref;
    } catch (err) {
      // Wait for the other steps to stop before reporting, so nothing runs on after the build ended.
      await Promise.allSettled(memo.values());
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  async #solveVertex(v: Vertex, visit: (v: Vertex) => Promise<Solved>, signal: AbortSignal, opts: SolveOptions): Promise<Solved> {
    const inputs = await Promise.all(v.inputs.map((i) => visit(i.vertex)));
    if (signal.aborted) throw abortError(signal);
    const inputRefs = v.inputs.map((i, n) => {
      const ref = inputs[n]!.refs[i.index];
      if (!ref) throw new SolveError(v, new KilnError('solve/no-output', `input ${n} has no output ${i.index}`));
      return ref;
    });
    const op = this.#opts.resolver.resolve(v);
    let key: string;
    try {
      key = cacheKeyOf(v, inputs.map((x) => x.key), await op.contentKey?.(inputRefs, signal));
    } catch (err) {
      throw err instanceof SolveError ? err : new SolveError(v, err);
    }
    const skipCache = opts.noCache === true || (typeof opts.noCache === 'function' && opts.noCache(v)) || !!v.metadata.ignore_cache ||
      inputs.some((i) => i.fresh);
    if (!skipCache) {
      const cached = await this.#opts.cache.load(key);
      if (cached) {
        this.#emit({ kind: 'cached', vertex: v.digest, name: v.name, time: Date.now() });
        return { key, refs: cached, fresh: false };
      }
    }
    let run = this.#inflight.get(key);
    if (!run) {
      run = this.#run(v, key, inputRefs, signal, op).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, run);
    }
    return { key, refs: await run, fresh: skipCache };
  }

  async #run(v: Vertex, key: string, inputs: readonly Ref[], signal: AbortSignal, op: ReturnType<OperationResolver['resolve']>): Promise<readonly Ref[]> {
    const release = await (op.runsProcess ? this.#processSlots : this.#slots).acquire(signal);
    this.#emit({ kind: 'started', vertex: v.digest, name: v.name, time: Date.now() });
    try {
      const refs = await op.exec(inputs, {
        vertex: v,
        signal,
        log: (stream, line) => this.#emit({ kind: 'log', vertex: v.digest, time: Date.now(), stream, line }),
      });
      await this.#opts.cache.save(key, refs, v);
      this.#emit({ kind: 'done', vertex: v.digest, time: Date.now() });
      return refs;
    } catch (err) {
      // A step stopped because the build was cancelled ends with the cancellation, not its own error.
      const e = signal.aborted ? abortError(signal) : err instanceof SolveError ? err : new SolveError(v, err);
      this.#emit({ kind: 'error', vertex: v.digest, time: Date.now(), message: e.message });
      throw e;
    } finally {
      release();
    }
  }

  #emit(e: ProgressEvent): void {
    this.#opts.onEvent?.(e);
  }
}

export type { Digest };
