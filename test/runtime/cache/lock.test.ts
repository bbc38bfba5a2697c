import { lockRoot } from '../../../runtime/cache/index.js';
import { spawnWorker } from './child/spawn-worker.js';
import { tempRoots } from './temp-root.js';

const newRoot = tempRoots();
const timeOf = (line: string) => Number(line.split(' ')[1]);

describe('lockRoot', () => {
  it('lets one process at a time hold the exclusive lock', async () => {
    const root = newRoot();
    const first = spawnWorker(['lock', root, 'exclusive', '1500']);
    await first.waitFor('locked');
    const second = spawnWorker(['lock', root, 'exclusive', '10']);
    const [released, locked] = await Promise.all([first.waitFor('releasing'), second.waitFor('locked')]);
    expect(timeOf(locked)).toBeGreaterThanOrEqual(timeOf(released));
    expect((await first.exited).code).toBe(0);
    expect((await second.exited).code).toBe(0);
  });

  it('lets shared holders in together, and keeps an exclusive one out until they leave', async () => {
    const root = newRoot();
    const readers = [spawnWorker(['lock', root, 'shared', '1500']), spawnWorker(['lock', root, 'shared', '1500'])];
    const lockedAt = await Promise.all(readers.map((r) => r.waitFor('locked')));
    const writer = spawnWorker(['lock', root, 'exclusive', '10']);
    const [released1, released2] = await Promise.all(readers.map((r) => r.waitFor('releasing')));
    // Both readers held the lock at once.
    expect(Math.max(...lockedAt.map(timeOf))).toBeLessThanOrEqual(Math.min(timeOf(released1!), timeOf(released2!)));
    expect(timeOf(await writer.waitFor('locked'))).toBeGreaterThanOrEqual(Math.max(timeOf(released1!), timeOf(released2!)));
    await writer.exited;
  });

  it('is free again as soon as a holder is killed', async () => {
    const root = newRoot();
    const holder = spawnWorker(['lock', root, 'exclusive', '0']);
    await holder.waitFor('locked');
    await expect(lockRoot(root, { timeoutMs: 0 })).rejects.toMatchObject({ code: 'lock/timeout' });
    holder.child.kill('SIGKILL');
    await holder.exited;
    const lock = await lockRoot(root, { timeoutMs: 5000 });
    await lock.release();
  });

  it('gives up after its timeout, or when its signal aborts', async () => {
    const root = newRoot();
    const held = await lockRoot(root, { mode: 'shared' });
    const started = Date.now();
    await expect(lockRoot(root, { timeoutMs: 300 })).rejects.toMatchObject({ code: 'lock/timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    const ac = new AbortController();
    const waiting = lockRoot(root, { signal: ac.signal });
    setTimeout(() => ac.abort(), 100);
    await expect(waiting).rejects.toMatchObject({ code: 'canceled' });

    // Shared with shared is fine; once released, exclusive is granted.
    const alsoShared = await lockRoot(root, { mode: 'shared', timeoutMs: 0 });
    await alsoShared.release();
    await held.release();
    await held.release();
    const exclusive = await lockRoot(root, { timeoutMs: 0 });
    await exclusive.release();
  });
});
