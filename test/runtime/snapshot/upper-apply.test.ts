import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshPathBelow, lookupMerged } from '../../../runtime/snapshot/upper-apply.js';
import { makeNode } from '../../../runtime/snapshot/fs-meta.js';
import { OPAQUE_XATTR, writeXattrs } from '../../../runtime/snapshot/xattrs.js';

// The merged view of overlay layers, read without mounting them (what a COPY into a bare upper
// dir decides by). Whiteouts (char 0/0) and opaque markers (trusted xattrs) need root.
const isRoot = process.getuid?.() === 0;

describe('lookupMerged / freshPathBelow', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-upper-apply-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  let n = 0;
  /** Layers from path lists, topmost first: 'dir/' a directory, 'x -> y' a symlink, else a file. */
  const layers = (...specs: string[][]) => specs.map((entries) => {
    const dir = join(work, `l${n++}`);
    mkdirSync(dir);
    for (const e of entries) {
      const [path, target] = e.split(' -> ');
      if (path!.endsWith('/')) mkdirSync(join(dir, path!), { recursive: true });
      else {
        mkdirSync(join(dir, path!, '..'), { recursive: true });
        if (target) symlinkSync(target, join(dir, path!));
        else writeFileSync(join(dir, path!), path!);
      }
    }
    return dir;
  });
  const where = async (lowers: string[], rel: string) => (await lookupMerged(lowers, rel))?.path.slice(work.length + 1);

  it('finds the topmost entry, and stops merging a directory at a layer where it is a file', async () => {
    const l = layers(['a/', 'a/top'], ['a'], ['a/', 'a/low', 'b/c']);
    expect(await where(l, 'a/top')).toBe(`${l[0]!.slice(work.length + 1)}/a/top`);
    expect(await where(l, 'a/low')).toBeUndefined();
    expect(await where(l, 'b/c')).toBe(`${l[2]!.slice(work.length + 1)}/b/c`);
    expect(await where(l, 'b/c/d')).toBeUndefined();
    expect(await freshPathBelow(l, '/a/new/f')).toBe('a');
    expect(await freshPathBelow(l, '/new/f')).toBe('');
    expect(await freshPathBelow(l, '/a/top')).toBeUndefined();
    expect(await freshPathBelow(l, '/b/c/x')).toBeUndefined();
  });

  it('will not decide under a symlink', async () => {
    const l = layers(['lnk -> /tmp', 'dir/']);
    expect(await freshPathBelow(l, '/lnk/f')).toBeUndefined();
    expect(await freshPathBelow(l, '/dir/f')).toBe('dir');
  });

  (isRoot ? it : it.skip)('honours whiteouts and opaque directories (root)', async () => {
    const l = layers(['x/'], ['x/hidden/', 'gone/deep/'], ['gone/', 'kept/']);
    await writeXattrs(join(l[0]!, 'x'), new Map([[OPAQUE_XATTR, Buffer.from('y')]]));
    rmSync(join(l[1]!, 'gone'), { recursive: true });
    await makeNode(join(l[1]!, 'gone'), 'char', 0, 0);
    expect(await where(l, 'x/hidden')).toBeUndefined();
    expect(await where(l, 'gone')).toBeUndefined();
    expect(await where(l, 'kept')).toBe(`${l[2]!.slice(work.length + 1)}/kept`);
    expect(await freshPathBelow(l, '/x/hidden/f')).toBe('x');
    expect(await freshPathBelow(l, '/gone/deep/f')).toBe('');
  });
});
