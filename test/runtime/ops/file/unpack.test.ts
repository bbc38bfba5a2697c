import { execFileSync } from 'node:child_process';
import { lstat, readFile, readlink, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { applyFileAction } from '../../../../runtime/ops/file/index.js';
import { copyOf, perm, tempDirs } from './helpers.js';

const temp = tempDirs();
const uid = process.getuid?.() ?? 0;
const gid = process.getgid?.() ?? 0;

// The pack header type, spelled so it works with tar-stream's own and @types' declarations.
type Entry = Partial<Parameters<ReturnType<typeof tar.pack>['entry']>[0]> & { name: string; body?: string };

async function tarOf(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const { body, ...h } of entries) pack.entry({ uid, gid, ...h } as Parameters<typeof pack.entry>[0], body ?? '');
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sample: Entry[] = [
  { name: 'app/', type: 'directory', mode: 0o750, mtime: new Date(1_000_000_000_000) },
  { name: 'app/run.sh', mode: 0o755, body: '#!/bin/sh\n', mtime: new Date(1_000_000_000_000) },
  { name: 'app/link', type: 'symlink', linkname: 'run.sh' },
  // A hard link's header carries the file's mode; Docker applies it to the (shared) inode.
  { name: 'app/hard', type: 'link', linkname: 'app/run.sh', mode: 0o755, mtime: new Date(1_000_000_000_000) },
  { name: 'implied/dir/f', mode: 0o600, body: 'x' },
];

const add = (src: string, over = {}) => copyOf(src, '/dest/', { attemptUnpackDockerCompatibility: true, ...over });

describe('ADD of a local archive', () => {
  test.each([
    ['tar', (b: Buffer) => b],
    ['tar.gz', (b: Buffer) => gzipSync(b)],
    ['tar.xz', (b: Buffer) => execFileSync('xz', ['-c'], { input: b })],
    ['tar.bz2', (b: Buffer) => execFileSync('bzip2', ['-c'], { input: b })],
  ])('%s is extracted with modes, times, links and implied dirs', async (ext, compress) => {
    const src = await temp();
    const dst = await temp();
    await writeFile(join(src, `a.${ext}`), compress(await tarOf(sample)));
    await applyFileAction(add(`/a.${ext}`), { source: src, target: dst });
    const app = await stat(join(dst, 'dest/app'));
    expect(perm(app.mode)).toBe(0o750);
    expect(app.mtimeMs).toBe(1_000_000_000_000);
    expect(perm((await stat(join(dst, 'dest/app/run.sh'))).mode)).toBe(0o755);
    expect(await readlink(join(dst, 'dest/app/link'))).toBe('run.sh');
    expect((await stat(join(dst, 'dest/app/hard'))).ino).toBe((await stat(join(dst, 'dest/app/run.sh'))).ino);
    expect(await readFile(join(dst, 'dest/implied/dir/f'), 'utf8')).toBe('x');
    expect(perm((await stat(join(dst, 'dest/implied'))).mode)).toBe(0o755);
  });

  test('without the flag, or for a file that is not a tar, the file is copied', async () => {
    const src = await temp();
    const dst = await temp();
    await writeFile(join(src, 'a.tar'), await tarOf(sample));
    await writeFile(join(src, 'notes.gz'), gzipSync(Buffer.from('not a tar')));
    await applyFileAction(copyOf('/a.tar', '/dest/'), { source: src, target: dst });
    await applyFileAction(add('/notes.gz'), { source: src, target: dst });
    expect((await lstat(join(dst, 'dest/a.tar'))).isFile()).toBe(true);
    expect((await lstat(join(dst, 'dest/notes.gz'))).isFile()).toBe(true);
  });

  test('an explicit owner applies to every entry', async () => {
    const src = await temp();
    const dst = await temp();
    await writeFile(join(src, 'a.tar'), await tarOf(sample));
    await applyFileAction(add('/a.tar', { owner: { user: { byID: uid }, group: { byID: gid } } }), { source: src, target: dst });
    expect((await lstat(join(dst, 'dest/app/run.sh'))).uid).toBe(uid);
  });

  test.each([
    [{ name: '../../escape', body: 'x' }],
    [{ name: 'evil', type: 'symlink', linkname: '../../../outside' } as Entry],
    [{ name: 'hard', type: 'link', linkname: '../../outside' } as Entry],
  ])('entries that would leave the destination are refused: %j', async (entry) => {
    const src = await temp();
    const dst = await temp();
    await writeFile(join(src, 'bad.tar'), await tarOf([entry]));
    await expect(applyFileAction(add('/bad.tar'), { source: src, target: dst })).rejects.toMatchObject({ code: 'file/archive' });
  });

  test('an absolute symlink in the archive is kept (it means the image root), and entries under it stay in dest', async () => {
    const src = await temp();
    const dst = await temp();
    await writeFile(join(src, 'a.tar'), await tarOf([
      { name: 'etc', type: 'symlink', linkname: '/' },
      { name: 'etc/passwd', body: 'mine' },
    ]));
    await applyFileAction(add('/a.tar'), { source: src, target: dst });
    expect(await readlink(join(dst, 'dest/etc'))).toBe('/');
    expect(await readFile(join(dst, 'dest/passwd'), 'utf8')).toBe('mine');
  });
});
