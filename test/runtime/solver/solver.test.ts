import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError, llb } from '../../../compiler/index.js';
import type { CacheStore, Operation, ProgressEvent, Ref, Vertex } from '../../../runtime/solver/index.js';
import { SolveError, Solver } from '../../../runtime/solver/index.js';

// The engine with synthetic ops: an exec "sleeps" for the ms in its first
// argument and fails when told to; sources and file ops return at once. No containers.

class MemoryCache implements CacheStore {
  readonly entries = new Map<string, readonly Ref[]>();
  async load(key: string) {
    return this.entries.get(key);
  }
  async save(key: string, refs: readonly Ref[]) {
    this.entries.set(key, refs);
  }
}

function harness(opts: { concurrency?: number; content?: (v: Vertex) => string | undefined } = {}) {
  const events: ProgressEvent[] = [];
  const runs: string[] = [];
  const cache = new MemoryCache();
  const solver = new Solver({
    cache,
    concurrency: opts.concurrency ?? 4,
    onEvent: (e) => events.push(e),
    resolver: {
      resolve(v: Vertex): Operation {
        return {
          contentKey: async () => opts.content?.(v),
          async exec(inputs, ctx) {
            runs.push(v.name);
            const args = v.op.exec?.meta?.args ?? [];
            if (args[0] === 'fail') throw new KilnError('test/failed', `exit code 1: ${args.join(' ')}`);
            if (args[0] === 'sleep') {
              await sleep(Number(args[1]), undefined, { signal: ctx.signal });
              ctx.log('stdout', `slept ${args[1]}`);
            }
            return [{ id: `${v.name}(${inputs.map((i) => i.id).join(',')})` }];
          },
        };
      },
    },
  });
  return { solver, events, runs, cache };
}

const base = llb.image('busybox');
const step = (s: llb.State, name: string, args: string[]) => s.run({ args, customName: name }).root();

describe('Solver', () => {
  it('runs each vertex once, inputs first, and returns the result ref', async () => {
    const { solver, runs } = harness();
    const a = step(base, 'a', ['true']);
    // Different args: ops that differ only in their names are one vertex.
    const out = llb.merge([step(a, 'b', ['true', 'b']), step(a, 'c', ['true', 'c'])]);
    const ref = await solver.solve(await out.marshal());
    expect(runs.filter((r) => r === 'a')).toHaveLength(1);
    expect(runs.indexOf('a')).toBeLessThan(runs.indexOf('b'));
    expect(ref.id).toContain('a(');
  });

  it('runs independent steps concurrently (from the progress timestamps)', async () => {
    const { solver, events } = harness();
    const out = llb.merge([step(base, 'left', ['sleep', '300']), step(base, 'right', ['sleep', '301'])]);
    await solver.solve(await out.marshal());
    const starts = events.filter((e): e is Extract<ProgressEvent, { kind: 'started' }> => e.kind === 'started' && (e.name === 'left' || e.name === 'right'));
    const started = starts.map((e) => e.time);
    const doneTimes = events.filter((e) => e.kind === 'done' && starts.some((s) => s.vertex === e.vertex)).map((e) => e.time);
    expect(started).toHaveLength(2);
    // Both started before either could have finished.
    expect(Math.max(...started)).toBeLessThan(Math.min(...doneTimes));
  });

  it('asks nothing of the inputs of a cached step, yet reports them CACHED', async () => {
    const { solver, runs, cache, events } = harness();
    const a = step(base, 'a', ['true']);
    const b = step(a, 'b', ['true', 'b']);
    const def = await b.marshal();
    await solver.solve(def);
    // Only b's record is left: a has none, and would run were it asked for.
    const bKey = [...cache.entries.keys()].at(-1)!;
    const bRefs = cache.entries.get(bKey)!;
    cache.entries.clear();
    cache.entries.set(bKey, bRefs);
    runs.length = 0;
    events.length = 0;
    expect((await solver.solve(def)).id).toBe(bRefs[0]!.id);
    expect(runs).toEqual([]);
    expect(events.filter((e) => e.kind === 'cached').map((e) => (e as { name: string }).name)).toEqual(['b']);
    // With every record there, every step is reported CACHED.
    await solver.solve(await step(base, 'a', ['true']).marshal());
    events.length = 0;
    await solver.solve(def);
    expect(events.filter((e) => e.kind === 'cached').map((e) => (e as { name: string }).name).sort()).toEqual(['a', 'b', 'docker-image://docker.io/library/busybox:latest']);
  });

  it('bounds concurrency', async () => {
    const { solver, events } = harness({ concurrency: 1 });
    const out = llb.merge([step(base, 'left', ['sleep', '50']), step(base, 'right', ['sleep', '51'])]);
    await solver.solve(await out.marshal());
    const seq = events.filter((e) => e.kind === 'started' || e.kind === 'done').map((e) => e.kind);
    for (let i = 0; i + 1 < seq.length; i += 2) expect(seq.slice(i, i + 2)).toEqual(['started', 'done']);
  });

  it('runs nothing on a rebuild, and reruns only what a content change reaches', async () => {
    let version = 'v1';
    const { solver, runs, events } = harness({ content: (v) => (v.name === 'ctx' ? version : undefined) });
    const ctx = llb.local('context', { customName: 'ctx' });
    const build = step(base, 'deps', ['true']).file(llb.copy(ctx, '/src', '/src'), { customName: 'copy' });
    const def = await step(build, 'compile', ['true']).marshal();
    await solver.solve(def);
    const first = runs.length;
    await solver.solve(def);
    expect(runs.length).toBe(first);
    expect(events.filter((e) => e.kind === 'cached').length).toBeGreaterThan(0);
    version = 'v2';
    runs.length = 0;
    await solver.solve(def);
    expect(runs.sort()).toEqual(['compile', 'copy', 'ctx']);
  });

  it('shares identical work between concurrent solves', async () => {
    const { solver, runs } = harness();
    const def = await step(base, 'slow', ['sleep', '100']).marshal();
    await Promise.all([solver.solve(def), solver.solve(def)]);
    expect(runs.filter((r) => r === 'slow')).toHaveLength(1);
  });

  it('stops everything on the first failure and names the failing step', async () => {
    const { solver, events, runs } = harness();
    const out = llb.merge([step(base, 'long', ['sleep', '5000']), step(base, 'broken', ['fail', 'now'])]);
    const t0 = Date.now();
    const err = await solver.solve(await out.marshal()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SolveError);
    expect((err as SolveError).vertex.name).toBe('broken');
    expect((err as Error).message).toContain('exit code 1');
    expect(Date.now() - t0).toBeLessThan(4000);
    expect(runs).not.toContain('merge');
    expect(events.some((e) => e.kind === 'error')).toBe(true);
  });

  it('is cancelled by its caller', async () => {
    const { solver } = harness();
    const ac = new AbortController();
    const p = solver.solve(await step(base, 'long', ['sleep', '5000']).marshal(), { signal: ac.signal });
    setTimeout(() => ac.abort(new KilnError('canceled', 'interrupted')), 50);
    await expect(p).rejects.toThrow(/interrupted/);
  });

  it('ignores the cache for --no-cache and ignore-cache ops', async () => {
    const { solver, runs } = harness();
    const def = await step(base, 'x', ['true']).marshal();
    await solver.solve(def);
    await solver.solve(def, { noCache: true });
    expect(runs.filter((r) => r === 'x')).toHaveLength(2);
  });
});
