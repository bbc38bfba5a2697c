import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyTree } from '../../../runtime/snapshot/copy-tree.js';

// Owners survive a tree copy whether or not the copy had to set them: an entry is created as
// the copying user (or with the group of a setgid directory), and only a different owner is set.
const isRoot = process.getuid?.() === 0;

(isRoot ? describe : describe.skip)('copyTree owners (root)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-copy-tree-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const owners = (dir: string, names: readonly string[]) => names.map((n) => {
    const st = lstatSync(join(dir, n));
    return [n, st.uid, st.gid, (st.mode & 0o7777).toString(8)];
  });

  it('keeps every owner and mode, into a plain directory and under a setgid one', () => {
    const src = join(work, 'src');
    mkdirSync(join(src, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(src, 'root-file'), 'r');
    writeFileSync(join(src, 'sub', 'user-file'), 'u');
    writeFileSync(join(src, 'sub', 'deeper', 'root-file'), 'd');
    symlinkSync('user-file', join(src, 'sub', 'link'));
    chownSync(join(src, 'sub', 'user-file'), 1000, 1000);
    lchownSync(join(src, 'sub', 'link'), 1000, 50);
    chownSync(join(src, 'sub'), 0, 50);
    chmodSync(join(src, 'sub'), 0o2775); // setgid in the source: copied as a mode, not inherited
    const names = ['root-file', 'sub', 'sub/user-file', 'sub/link', 'sub/deeper', 'sub/deeper/root-file'];
    const want = owners(src, names);

    const shared = join(work, 'shared');
    mkdirSync(shared);
    chownSync(shared, 0, 100);
    chmodSync(shared, 0o2775); // new entries under it would take group 100
    return Promise.all([copyTree(src, join(work, 'plain')), copyTree(src, join(shared, 'out'))]).then(() => {
      expect(owners(join(work, 'plain'), names)).toEqual(want);
      expect(owners(join(shared, 'out'), names)).toEqual(want);
    });
  });
});
