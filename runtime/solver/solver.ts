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
  /** Every vertex's cache key and results, cached or run (what a cache export writes). */
  readonly onResult?: (v: Vertex, key: string, refs: readonly Ref[]) => void;
}

export interface SolveOptions {
  readonly signal?: AbortSignal;
  /** Run every step (true), or the steps of these vertices, even when cached. */
  readonly noCache?: boolean | ((v: Vertex) => boolean);
}

interface Solved {
  readonly key: string;
  readonly refs: readonly Ref[];
}

/** One solve's memo: keys, whether a vertex must run whatever the cache says, results. */
interface SolveState {
  readonly signal: AbortSignal;
  /** Cancels the whole solve: the first failure stops every other step. */
  readonly abort: (reason: unknown) => void;
  readonly opts: SolveOptions;
  readonly keys: Map<Vertex, Promise<string>>;
  readonly dirty: Map<Vertex, boolean>;
  readonly results: Map<Vertex, Promise<Solved>>;
  /** Vertices reported CACHED because a step above them was. */
  readonly reported: Set<Vertex>;
}

/**
 * Runs LLB graphs: each vertex once per solve, independent vertices
 * concurrently (bounded), results looked up and stored by cache key, identical
 * work shared between concurrent solves, and everything cancelled on the first
 * failure or when the caller aborts.
 *
 * Keys come first (they need only the ops and the sources' content), then results from
 * the top: a vertex found in the cache never asks for its inputs, so a cached final step
 * runs nothing below it, syncs no context and unpacks no imported layer.
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
    const st: SolveState = { signal: abort.signal, abort: (reason) => abort.abort(reason), opts, keys: new Map(), dirty: new Map(), results: new Map(), reported: new Set() };
    try {
      const solved = await this.#visit(graph.result.vertex, st);
      const ref = solved.refs[graph.result.index];
      if (!ref) throw new KilnError('solve/no-output', `${graph.result.vertex.name} has no output ${graph.result.index}`);
      return ref;
    } catch (err) {
      // Wait for the other steps to stop before reporting, so nothing runs on after the build ended.
      await Promise.allSettled([...st.results.values(), ...st.keys.values()]);
      throw err;
    } finally {
      opts.signal?.removeEventListener('abort', onOuterAbort);
    }
  }

  #visit(v: Vertex, st: SolveState): Promise<Solved> {
    let p = st.results.get(v);
    if (!p) {
      p = this.#solveVertex(v, st);
      // The first failure cancels every other step of this solve.
      p.catch((err: unknown) => st.abort(err));
      st.results.set(v, p);
    }
    return p;
  }

  /** A vertex's cache key: its op, its inputs' keys, the content its source reads. */
  #keyOf(v: Vertex, st: SolveState): Promise<string> {
    let p = st.keys.get(v);
    if (!p) {
      p = (async () => {
        const inputKeys = await Promise.all(v.inputs.map((i) => this.#keyOf(i.vertex, st)));
        if (st.signal.aborted) throw abortError(st.signal);
        try {
          return cacheKeyOf(v, inputKeys, await this.#opts.resolver.resolve(v).contentKey?.(st.signal));
        } catch (err) {
          throw err instanceof SolveError ? err : new SolveError(v, err);
        }
      })();
      st.keys.set(v, p);
    }
    return p;
  }

  /**
   * Whether a vertex must run whatever the cache holds: its cache is ignored, or one of its
   * inputs must run (same key as last time, but maybe new content: a `--no-cache-filter`
   * stage must not hand its dependents last build's results).
   */
  #dirty(v: Vertex, st: SolveState): boolean {
    let d = st.dirty.get(v);
    if (d === undefined) {
      const o = st.opts.noCache;
      d = o === true || (typeof o === 'function' && o(v)) || !!v.metadata.ignore_cache || v.inputs.some((i) => this.#dirty(i.vertex, st));
      st.dirty.set(v, d);
    }
    return d;
  }

  async #solveVertex(v: Vertex, st: SolveState): Promise<Solved> {
    const key = await this.#keyOf(v, st);
    if (!this.#dirty(v, st)) {
      const cached = await this.#opts.cache.load(key);
      if (cached) {
        st.reported.add(v);
        // The steps below first, as they come in the build file (BuildKit's views list them so).
        await this.#reportAncestors(v, st);
        this.#emit({ kind: 'cached', vertex: v.digest, name: v.name, time: Date.now() });
        this.#opts.onResult?.(v, key, cached);
        return { key, refs: cached };
      }
    }
    const inputs = await Promise.all(v.inputs.map((i) => this.#visit(i.vertex, st)));
    if (st.signal.aborted) throw abortError(st.signal);
    const inputRefs = v.inputs.map((i, n) => {
      const ref = inputs[n]!.refs[i.index];
      if (!ref) throw new SolveError(v, new KilnError('solve/no-output', `input ${n} has no output ${i.index}`));
      return ref;
    });
    let run = this.#inflight.get(key);
    if (!run) {
      run = this.#run(v, key, inputRefs, st.signal, this.#opts.resolver.resolve(v)).finally(() => this.#inflight.delete(key));
      this.#inflight.set(key, run);
    }
    const refs = await run;
    this.#opts.onResult?.(v, key, refs);
    return { key, refs };
  }

  /**
   * Reports the steps below a cached one as CACHED, as BuildKit's progress does, with their
   * results for a cache export; a step whose own record is gone is left unreported.
   */
  async #reportAncestors(v: Vertex, st: SolveState): Promise<void> {
    for (const i of v.inputs) {
      const u = i.vertex;
      if (st.reported.has(u) || st.results.has(u)) continue;
      st.reported.add(u);
      const key = await this.#keyOf(u, st);
      const refs = await this.#opts.cache.load(key);
      if (!refs) continue;
      await this.#reportAncestors(u, st);
      this.#emit({ kind: 'cached', vertex: u.digest, name: u.name, time: Date.now() });
      this.#opts.onResult?.(u, key, refs);
    }
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
