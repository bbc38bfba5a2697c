import { chmod, link, lutimes, mkdir, mkdtemp, readdir, readFile, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tarOf } from '../../support/tar-of.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { CopySnapshotter, applyLayerTar } from '../../../runtime/snapshot/index.js';
import { listTree, makeTar, readTar } from './fs-tree.js';

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kiln-layer-'));
});
afterEach(async () => {
  await rm(tmp, { recursive: true, force: true });
});


/** A tree with what a layer must keep: modes, times, a symlink, a hard link pair, nesting. */
async function sampleTree(dir: string): Promise<void> {
  await mkdir(join(dir, 'etc/conf.d'), { recursive: true });
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'etc/conf.d/a.conf'), 'a=1\n');
  await writeFile(join(dir, 'bin/tool'), '#!/bin/sh\necho hi\n');
  await chmod(join(dir, 'bin/tool'), 0o4755);
  await link(join(dir, 'bin/tool'), join(dir, 'bin/tool-alias'));
  await symlink('../etc/conf.d/a.conf', join(dir, 'bin/conf'));
  await writeFile(join(dir, 'etc/secret'), 'shh');
  await writeFile(join(dir, 'etc/empty'), '');
  await chmod(join(dir, 'etc/secret'), 0o600);
  await chmod(join(dir, 'etc/conf.d'), 0o750);
  const t = new Date(1_500_000_000_000);
  for (const p of ['etc/conf.d/a.conf', 'bin/tool', 'etc/secret', 'etc/empty', 'etc/conf.d', 'etc', 'bin']) await utimes(join(dir, p), t, t);
  await lutimes(join(dir, 'bin/conf'), t, t);
}

describe('writeLayerTar', () => {
  it('writes sorted entries with modes, owners, times, symlinks and hard links', async () => {
    const src = join(tmp, 'src');
    await sampleTree(src);
    const entries = await readTar(await tarOf(src));
    expect(entries.map((e) => e.name)).toEqual(['bin/', 'bin/conf', 'bin/tool', 'bin/tool-alias', 'etc/', 'etc/conf.d/', 'etc/conf.d/a.conf', 'etc/empty', 'etc/secret']);
    const byName = new Map(entries.map((e) => [e.name, e]));
    expect(byName.get('bin/tool')).toMatchObject({ type: 'file', mode: 0o4755, mtime: 1_500_000_000 });
    expect(byName.get('bin/tool-alias')).toMatchObject({ type: 'link', linkname: 'bin/tool' });
    expect(byName.get('bin/conf')).toMatchObject({ type: 'symlink', linkname: '../etc/conf.d/a.conf' });
    expect(byName.get('etc/conf.d/')).toMatchObject({ type: 'directory', mode: 0o750 });
    expect(byName.get('etc/secret')).toMatchObject({ mode: 0o600, body: 'shh' });
  });

  it('gives the same bytes for the same tree', async () => {
    const src = join(tmp, 'src');
    await sampleTree(src);
    expect((await tarOf(src)).equals(await tarOf(src))).toBe(true);
  });
});

describe('applyLayerTar', () => {
  it('round-trips a tree through a layer tar into a copy snapshot', async () => {
    const src = join(tmp, 'src');
    await sampleTree(src);
    const snapshotter = new CopySnapshotter(join(tmp, 'root'));
    const active = await snapshotter.prepare([]);
    await applyLayerTar(Readable.from([await tarOf(src)]), active.dir);
    const id = await snapshotter.commit(active);
    const view = await snapshotter.view(id);
    expect(await listTree(view.dir)).toEqual(await listTree(src));
    await view.release();
  });

  it('detects gzip', async () => {
    const src = join(tmp, 'src');
    await sampleTree(src);
    const dest = join(tmp, 'dest');
    await mkdir(dest);
    await applyLayerTar(Readable.from([gzipSync(await tarOf(src))]), dest);
    expect(await listTree(dest)).toEqual(await listTree(src));
  });

  it('applies whiteouts and opaque dirs onto the parent snapshot, leaving the parent alone', async () => {
    const snapshotter = new CopySnapshotter(join(tmp, 'root'));
    const base = await snapshotter.prepare([]);
    await applyLayerTar(
      Readable.from([
        await makeTar([
          { name: 'a', body: 'a' },
          { name: 'd/', type: 'directory' },
          { name: 'd/x', body: 'x' },
          { name: 'd/y', body: 'y' },
          { name: 'o/', type: 'directory' },
          { name: 'o/p', body: 'p' },
          { name: 'o/q/', type: 'directory' },
          { name: 'o/q/r', body: 'r' },
        ]),
      ]),
      base.dir,
    );
    const baseId = await snapshotter.commit(base);
    const child = await snapshotter.prepare([baseId]);
    await applyLayerTar(
      Readable.from([
        await makeTar([
          { name: '.wh.a' },
          { name: 'd/.wh.x' },
          { name: 'o/', type: 'directory' },
          { name: 'o/!early', body: 'written before the marker' },
          { name: 'o/.wh..wh..opq' },
          { name: 'o/new', body: 'n' },
          { name: '.wh.not-there' },
        ]),
      ]),
      child.dir,
    );
    const childId = await snapshotter.commit(child);
    const [childDir] = await snapshotter.layers(childId);
    expect((await listTree(childDir!)).map((l) => l.split(' ')[0])).toEqual(['/d', '/d/y', '/o', '/o/!early', '/o/new']);
    const [baseDir] = await snapshotter.layers(baseId);
    expect((await listTree(baseDir!)).map((l) => l.split(' ')[0])).toEqual(['/a', '/d', '/d/x', '/d/y', '/o', '/o/p', '/o/q', '/o/q/r']);
  });

  it('follows an absolute symlinked parent inside the root, as a chroot would', async () => {
    const dest = join(tmp, 'dest');
    await mkdir(dest);
    await applyLayerTar(Readable.from([await makeTar([{ name: 'etc/', type: 'directory' }, { name: 'abs', type: 'symlink', linkname: '/etc' }, { name: 'abs/hosts', body: 'inside' }])]), dest);
    expect(await readFile(join(dest, 'etc/hosts'), 'utf8')).toBe('inside');
  });

  it('keeps read-only directories fillable and restores their mode last', async () => {
    const dest = join(tmp, 'dest');
    await mkdir(dest);
    await applyLayerTar(Readable.from([await makeTar([{ name: 'ro/', type: 'directory', mode: 0o555 }, { name: 'ro/f', body: 'f' }])]), dest);
    expect((await stat(join(dest, 'ro'))).mode & 0o777).toBe(0o555);
    expect(await readFile(join(dest, 'ro/f'), 'utf8')).toBe('f');
    await chmod(join(dest, 'ro'), 0o755); // so a non-root afterEach can delete it
  });
});

describe('applyLayerTar refuses entries that escape the directory', () => {
  const cases: { readonly name: string; readonly entries: Parameters<typeof makeTar>[0] }[] = [
    { name: 'a climbing path', entries: [{ name: '../../etc/passwd', body: 'pwned' }] },
    { name: 'a climbing path after a subdir', entries: [{ name: 'a/../../passwd', body: 'pwned' }] },
    { name: 'an absolute path', entries: [{ name: '/etc/passwd', body: 'pwned' }] },
    { name: 'a symlinked parent that climbs out', entries: [{ name: 'evil', type: 'symlink', linkname: '../../..' }, { name: 'evil/passwd', body: 'pwned' }] },
    { name: 'a symlinked parent that climbs out through a dir', entries: [{ name: 'd/', type: 'directory' }, { name: 'd/up', type: 'symlink', linkname: '../..' }, { name: 'd/up/passwd', body: 'pwned' }] },
    { name: 'a hard link to outside', entries: [{ name: 'pw', type: 'link', linkname: '../outside/secret' }] },
    { name: 'an absolute hard link', entries: [{ name: 'pw', type: 'link', linkname: '/etc/passwd' }] },
    { name: 'a hard link through a symlink that climbs out', entries: [{ name: 'evil', type: 'symlink', linkname: '..' }, { name: 'pw', type: 'link', linkname: 'evil/outside/secret' }] },
    { name: 'a whiteout of something outside', entries: [{ name: 'evil', type: 'symlink', linkname: '..' }, { name: 'evil/outside/.wh.secret' }] },
  ];

  it.each(cases)('$name', async ({ entries }) => {
    const dest = join(tmp, 'dest');
    await mkdir(dest);
    await mkdir(join(tmp, 'outside'));
    await writeFile(join(tmp, 'outside/secret'), 'keep');
    const before = (await readdir(tmp)).sort();
    await expect(applyLayerTar(Readable.from([await makeTar(entries)]), dest)).rejects.toMatchObject({ code: 'snapshot/path-escape' });
    expect((await readdir(tmp)).sort()).toEqual(before);
    expect(await readdir(join(tmp, 'outside'))).toEqual(['secret']);
    expect(await readFile(join(tmp, 'outside/secret'), 'utf8')).toBe('keep');
  });
});
