import { appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRecordFile } from '../../../runtime/exporters/export-record.js';
import { exportLocal } from '../../../runtime/exporters/local-exporter.js';

// A local export replaces the destination as a whole, and records what it wrote: exporting the
// same result again skips the copy only while the destination is exactly as exported.
describe('exportLocal', () => {
  let work: string;
  let src: string;
  let dest: string;
  let root: string;
  const record = (result = 'snap-1') => ({ file: exportRecordFile(root, dest), result });
  /** Exports; reports whether the tree was copied (the destination directory is a new one). */
  const exportAgain = async (result?: string): Promise<boolean> => {
    const before = existsSync(dest) ? lstatSync(dest).ino : undefined;
    await exportLocal(src, dest, { record: record(result) });
    return lstatSync(dest).ino !== before;
  };

  beforeEach(() => {
    work = mkdtempSync(join(tmpdir(), 'kiln-export-'));
    src = join(work, 'src');
    dest = join(work, 'out');
    root = join(work, 'root');
    mkdirSync(join(src, 'etc', 'deep'), { recursive: true });
    writeFileSync(join(src, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/sh\n');
    writeFileSync(join(src, 'etc', 'deep', 'f'), 'f\n');
    symlinkSync('etc/passwd', join(src, 'link'));
  });
  afterEach(() => rmSync(work, { recursive: true, force: true }));

  it('skips the copy of an unchanged result into an untouched directory', async () => {
    expect(await exportAgain()).toBe(true);
    expect(existsSync(exportRecordFile(root, dest))).toBe(true);
    expect(await exportAgain()).toBe(false);
    expect(await exportAgain()).toBe(false);
    expect(readFileSync(join(dest, 'etc', 'deep', 'f'), 'utf8')).toBe('f\n');
    // Nothing is left beside the destination (no probe files, no temporary trees).
    expect(readdirSync(work).sort()).toEqual(['out', 'root', 'src']);
  });

  it.each([
    ['a file written', () => writeFileSync(join(dest, 'etc', 'passwd'), 'changed\n')],
    ['a file written with its times put back', () => {
      const st = lstatSync(join(dest, 'etc', 'passwd'));
      writeFileSync(join(dest, 'etc', 'passwd'), 'root:x:0:0::/root:/bin/bash');
      utimesSync(join(dest, 'etc', 'passwd'), st.atime, st.mtime);
    }],
    ['a mode changed', () => chmodSync(join(dest, 'etc', 'deep', 'f'), 0o600)],
    ['a file added deep down', () => writeFileSync(join(dest, 'etc', 'deep', 'new'), 'x')],
    ['a file removed', () => unlinkSync(join(dest, 'etc', 'deep', 'f'))],
    ['a symlink replaced', () => { unlinkSync(join(dest, 'link')); symlinkSync('/etc/shadow', join(dest, 'link')); }],
    ['the directory replaced', () => { rmSync(dest, { recursive: true }); mkdirSync(dest); }],
  ])('copies again after %s', async (_what, change) => {
    await exportAgain();
    change();
    expect(await exportAgain()).toBe(true);
    expect(readFileSync(join(dest, 'etc', 'passwd'), 'utf8')).toBe('root:x:0:0::/root:/bin/sh\n');
    expect(readdirSync(join(dest, 'etc', 'deep'))).toEqual(['f']);
    expect(lstatSync(join(dest, 'etc', 'deep', 'f')).mode & 0o777).toBe(lstatSync(join(src, 'etc', 'deep', 'f')).mode & 0o777);
  });

  it('sees a change made right after the export (within the file clock\'s tick on kernels with coarse ctimes)', async () => {
    for (let i = 0; i < 20; i++) {
      await exportAgain();
      appendFileSync(join(dest, 'etc', 'deep', 'f'), 'more\n');
      expect(await exportAgain()).toBe(true);
      expect(readFileSync(join(dest, 'etc', 'deep', 'f'), 'utf8')).toBe('f\n');
    }
  });

  it('copies another result, and copies without a record', async () => {
    await exportAgain('snap-1');
    expect(await exportAgain('snap-2')).toBe(true);
    expect(await exportAgain('snap-2')).toBe(false);
    const before = lstatSync(dest).ino;
    await exportLocal(src, dest);
    expect(lstatSync(dest).ino).not.toBe(before);
    // The unrecorded export made the old record stale: the directory is another one.
    expect(await exportAgain('snap-2')).toBe(true);
  });
});
