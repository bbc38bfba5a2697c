import { llb } from '../../../compiler/index.js';
import { DbCacheStore, StateDb } from '../../../runtime/cache/index.js';
import type { Operation, Vertex } from '../../../runtime/solver/index.js';
import { Solver } from '../../../runtime/solver/index.js';

const vertex = (name: string) => ({ name, digest: `sha256:${'0'.repeat(63)}1` }) as Vertex;

function harness(opts: { valid?: Set<string>; sizes?: Record<string, number> } = {}) {
  const db = StateDb.openFile(':memory:');
  let clock = 1000;
  const cache = new DbCacheStore(db, {
    now: () => clock,
    validate: opts.valid && ((id) => opts.valid!.has(id)),
    sizeOf: opts.sizes && ((id) => opts.sizes![id] ?? 0),
  });
  return { db, cache, tick: (ms: number) => (clock += ms) };
}

describe('DbCacheStore', () => {
  it('misses an unknown key and returns saved refs in order', async () => {
    const { db, cache } = harness({ sizes: { out0: 10, out1: 5 } });
    expect(await cache.load('k')).toBeUndefined();
    await cache.save('k', [{ id: 'out0' }, { id: 'out1' }], vertex('RUN make'));
    expect(await cache.load('k')).toEqual([{ id: 'out0' }, { id: 'out1' }]);
    expect(db.cacheRecord('k')).toMatchObject({ refs: ['out0', 'out1'], vertex: 'RUN make', size: 15 });
    expect(db.ownersOf('out0')).toEqual(['cache:k']);
  });

  it('marks a record used on load', async () => {
    const { db, cache, tick } = harness();
    await cache.save('k', [{ id: 'r' }], vertex('v'));
    expect(db.cacheRecord('k')).toMatchObject({ created: 1000, lastUsed: 1000 });
    tick(500);
    await cache.load('k');
    expect(db.cacheRecord('k')).toMatchObject({ created: 1000, lastUsed: 1500 });
  });

  it('drops a record whose snapshot vanished, and forgets the vanished ref', async () => {
    const valid = new Set(['a', 'b']);
    const { db, cache } = harness({ valid });
    await cache.save('k', [{ id: 'a' }, { id: 'b' }], vertex('v'));
    valid.delete('b');
    expect(await cache.load('k')).toBeUndefined();
    expect(db.cacheRecord('k')).toBeUndefined();
    expect(db.ref('b')).toBeUndefined();
    // The surviving ref is an orphan now, for prune to remove.
    expect(db.orphanRefs().map((r) => r.id)).toEqual(['a']);
  });

  it('replaces what a key held when saved again', async () => {
    const { db, cache } = harness();
    await cache.save('k', [{ id: 'old' }], vertex('v'));
    await cache.save('k', [{ id: 'new' }], vertex('v'));
    expect(await cache.load('k')).toEqual([{ id: 'new' }]);
    expect(db.orphanRefs().map((r) => r.id)).toEqual(['old']);
  });

  it('serves the solver: a second solve of the same graph runs nothing', async () => {
    const { cache } = harness();
    const runs: string[] = [];
    const solver = new Solver({
      cache,
      resolver: {
        resolve: (v: Vertex): Operation => ({
          async exec(inputs) {
            runs.push(v.name);
            return [{ id: `${v.name}(${inputs.map((i) => i.id).join(',')})` }];
          },
        }),
      },
    });
    const def = await llb.image('busybox').run({ args: ['true'], customName: 'step' }).root().marshal();
    const first = await solver.solve(def);
    const count = runs.length;
    expect(await solver.solve(def)).toEqual(first);
    expect(runs).toHaveLength(count);
  });
});
