import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CopySnapshotter } from '../../../runtime/snapshot/index.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kiln-copy-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('CopySnapshotter', () => {
  it('prepares full copies of the merged parents, later parents winning', async () => {
    const s = new CopySnapshotter(tmp);
    const a = await s.prepare([]);
    await writeFile(join(a.dir, 'shared'), 'from a');
    await writeFile(join(a.dir, 'only-a'), 'a');
    const aId = await s.commit(a);
    const b = await s.prepare([]);
    await writeFile(join(b.dir, 'shared'), 'from b');
    const bId = await s.commit(b);

    const m = await s.prepare([aId, bId]);
    expect((await readdir(m.dir)).sort()).toEqual(['only-a', 'shared']);
    expect(await readFile(join(m.dir, 'shared'), 'utf8')).toBe('from b');
    await writeFile(join(m.dir, 'only-a'), 'changed');
    const mId = await s.commit(m);

    expect(await s.layers(mId)).toHaveLength(1);
    const view = await s.view(aId);
    expect(await readFile(join(view.dir, 'only-a'), 'utf8')).toBe('a');
    await view.release();
  });

  it('aborts, removes, and refuses unknown or malformed ids', async () => {
    const s = new CopySnapshotter(tmp);
    const a = await s.prepare([]);
    await s.abort(a);
    await expect(s.commit(a)).rejects.toMatchObject({ code: 'snapshot/not-found' });
    const b = await s.prepare([]);
    const id = await s.commit(b);
    await s.remove(id);
    await expect(s.layers(id)).rejects.toMatchObject({ code: 'snapshot/not-found' });
    await expect(s.view('../../etc')).rejects.toMatchObject({ code: 'snapshot/bad-id' });
    await expect(s.prepare([id])).rejects.toMatchObject({ code: 'snapshot/not-found' });
  });

  it('refuses to commit a committed snapshot again', async () => {
    const s = new CopySnapshotter(tmp);
    const a = await s.prepare([]);
    await s.commit(a);
    await expect(s.commit(a)).rejects.toMatchObject({ code: 'snapshot/wrong-state' });
  });
});
