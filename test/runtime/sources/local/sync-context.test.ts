import { chmodSync, chownSync, lchownSync, linkSync, lstatSync, readFileSync, readlinkSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { syncContext } from '../../../../runtime/sources/local/index.js';
import { tempDir, writeTree } from './make-tree.js';

let tmp: ReturnType<typeof tempDir>;
let src: string;
let dest: string;
beforeEach(() => {
  tmp = tempDir();
  src = join(tmp.dir, 'src');
  dest = join(tmp.dir, 'dest');
  writeTree(src, {
    'bin/run': '#!/bin/sh\necho hi\n',
    'data/a.txt': 'aaa',
    'data/sub/b.txt': 'bbb',
    'link': { link: 'data/a.txt' },
    'dangling': { link: '/nowhere' },
    'big.log': 'log',
  });
  chmodSync(join(src, 'bin/run'), 0o755);
  chmodSync(join(src, 'data/a.txt'), 0o600);
  chmodSync(join(src, 'data/sub'), 0o750);
  linkSync(join(src, 'data/a.txt'), join(src, 'data/hard.txt'));
  // Old, whole-second and sub-microsecond-free times, so a copy's can be compared exactly.
  utimesSync(join(src, 'data/sub/b.txt'), 1_000_000_000.5, 1_000_000_000.25);
});
afterEach(() => tmp.cleanup());

const mode = (p: string): number => lstatSync(p).mode & 0o7777;

describe('syncContext', () => {
  test('copies modes, times, symlinks and hardlinks', async () => {
    const r = await syncContext(src, dest);
    expect(r.removed).toEqual([]);
    expect(readFileSync(join(dest, 'bin/run'), 'utf8')).toBe('#!/bin/sh\necho hi\n');
    expect(mode(join(dest, 'bin/run'))).toBe(0o755);
    expect(mode(join(dest, 'data/a.txt'))).toBe(0o600);
    expect(mode(join(dest, 'data/sub'))).toBe(0o750);
    expect(readlinkSync(join(dest, 'link'))).toBe('data/a.txt');
    expect(readlinkSync(join(dest, 'dangling'))).toBe('/nowhere');
    expect(lstatSync(join(dest, 'data/hard.txt')).ino).toBe(lstatSync(join(dest, 'data/a.txt')).ino);
    expect(lstatSync(join(dest, 'data/hard.txt')).ino).not.toBe(lstatSync(join(src, 'data/a.txt')).ino);
    expect(statSync(join(dest, 'data/sub/b.txt')).mtimeMs).toBe(1_000_000_000_250);
    // A directory's time is set after its children were written into it. Node passes times as
    // a double of seconds and libuv truncates them to whole microseconds: up to ~1.2 µs off.
    const drift = statSync(join(dest, 'data'), { bigint: true }).mtimeNs - statSync(join(src, 'data'), { bigint: true }).mtimeNs;
    expect(drift < 2000n && drift > -2000n).toBe(true);
  });

  test('applies the walk options (only what is sent is copied)', async () => {
    await syncContext(src, dest, { exclude: ['*.log', 'data/sub'] });
    expect(() => lstatSync(join(dest, 'big.log'))).toThrow();
    expect(() => lstatSync(join(dest, 'data/sub'))).toThrow();
    expect(readFileSync(join(dest, 'data/a.txt'), 'utf8')).toBe('aaa');
  });

  test('syncing again writes only what changed and removes what is gone', async () => {
    const first = await syncContext(src, dest);
    expect(first.written).toContain('data/a.txt');
    const again = await syncContext(src, dest);
    expect(again.written).toEqual([]);
    expect(again.removed).toEqual([]);

    writeFileSync(join(src, 'data/sub/b.txt'), 'changed');
    rmSync(join(src, 'big.log'));
    chmodSync(join(src, 'bin/run'), 0o700);
    const third = await syncContext(src, dest);
    expect(third.written).toEqual(['data/sub/b.txt']);
    expect(third.removed).toEqual(['big.log']);
    expect(readFileSync(join(dest, 'data/sub/b.txt'), 'utf8')).toBe('changed');
    expect(mode(join(dest, 'bin/run'))).toBe(0o700);
    expect(() => lstatSync(join(dest, 'big.log'))).toThrow();

    // Excluding a directory later removes it from the copy.
    const fourth = await syncContext(src, dest, { exclude: ['data/sub'] });
    expect(fourth.removed).toEqual(['data/sub']);
    expect(fourth.written).toEqual([]);
  });

  test('a file edited with the same size is rewritten (its mtime moved)', async () => {
    await syncContext(src, dest);
    writeFileSync(join(src, 'data/a.txt'), 'zzz');
    utimesSync(join(src, 'data/a.txt'), 2_000_000_000, 2_000_000_000);
    const r = await syncContext(src, dest);
    expect(r.written).toEqual(['data/a.txt', 'data/hard.txt']);
    expect(readFileSync(join(dest, 'data/hard.txt'), 'utf8')).toBe('zzz');
    expect(lstatSync(join(dest, 'data/hard.txt')).ino).toBe(lstatSync(join(dest, 'data/a.txt')).ino);
  });

  test('an entry that changed kind replaces the old one', async () => {
    await syncContext(src, dest);
    rmSync(join(src, 'data/sub'), { recursive: true });
    writeFileSync(join(src, 'data/sub'), 'now a file');
    rmSync(join(src, 'link'));
    writeTree(src, { 'link/inside': 'dir now' });
    await syncContext(src, dest);
    expect(readFileSync(join(dest, 'data/sub'), 'utf8')).toBe('now a file');
    expect(readFileSync(join(dest, 'link/inside'), 'utf8')).toBe('dir now');
  });

  test('recreates a fifo', async () => {
    execFileSync('mkfifo', ['-m', '640', join(src, 'pipe')]);
    await syncContext(src, dest);
    expect(lstatSync(join(dest, 'pipe')).isFIFO()).toBe(true);
    expect(mode(join(dest, 'pipe'))).toBe(0o640);
    expect((await syncContext(src, dest)).unchanged).toContain('pipe');
  });

  (process.getuid?.() === 0 ? test : test.skip)('sets owners as root', async () => {
    chownSync(join(src, 'data/a.txt'), 1234, 5678);
    lchownSync(join(src, 'link'), 4321, 8765);
    chmodSync(join(src, 'bin/run'), 0o4755);
    chownSync(join(src, 'bin/run'), 1000, 1000);
    chmodSync(join(src, 'bin/run'), 0o4755);
    await syncContext(src, dest);
    expect(lstatSync(join(dest, 'data/a.txt'))).toMatchObject({ uid: 1234, gid: 5678 });
    expect(lstatSync(join(dest, 'link'))).toMatchObject({ uid: 4321, gid: 8765 });
    expect(mode(join(dest, 'bin/run'))).toBe(0o4755);
    // chown: false leaves the copy to whoever syncs.
    const plain = join(tmp.dir, 'plain');
    await syncContext(src, plain, { chown: false });
    expect(lstatSync(join(plain, 'data/a.txt')).uid).toBe(0);
  });
});
