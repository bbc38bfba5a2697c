import { createReadStream } from 'node:fs';
import { tarOf } from '../../support/tar-of.js';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';
import { CopySnapshotter, OverlaySnapshotter, applyLayerTar, createSnapshotter } from '../../../runtime/snapshot/index.js';
import type { Snapshotter } from '../../../runtime/snapshot/index.js';
import { mountsUnder, unmount } from '../../../runtime/snapshot/mount.js';
import { corpusDir } from '../../support/corpus.js';
import { listTree, readTar } from '../../runtime/snapshot/fs-tree.js';

// Kernel overlayfs needs root (and an upper-capable file system under the temp dir).
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.warn('skipping overlay snapshotter integration tests: they need root for overlay mounts');
const rootDescribe = isRoot ? describe : describe.skip;

let tmp: string;
beforeEach(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'kiln-overlay-'));
});
afterEach(async () => {
  for (const m of await mountsUnder(tmp)) await unmount(m);
  await rm(tmp, { recursive: true, force: true });
});


/** Commits a snapshot on `parents` after `change` ran in it. */
async function step(s: Snapshotter, parents: readonly string[], change: (dir: string) => Promise<void>): Promise<string> {
  const active = await s.prepare(parents);
  await change(active.dir);
  return s.commit(active);
}

async function namesIn(s: Snapshotter, id: string): Promise<string[]> {
  const view = await s.view(id);
  try {
    return (await listTree(view.dir)).map((l) => l.split(' ')[0]!);
  } finally {
    await view.release();
  }
}

rootDescribe('OverlaySnapshotter (root, kernel overlayfs)', () => {
  it('is what createSnapshotter picks here', async () => {
    expect((await createSnapshotter(join(tmp, 'root'))).kind).toBe('overlay');
  });

  it('stacks a 3-level chain; deletions become whiteouts and opaque dirs in the layer tar', async () => {
    const s = new OverlaySnapshotter(join(tmp, 'root'));
    const s1 = await step(s, [], async (d) => {
      await mkdir(join(d, 'd/sub'), { recursive: true });
      await writeFile(join(d, 'a'), '1');
      await writeFile(join(d, 'd/x'), 'x');
      await writeFile(join(d, 'd/sub/y'), 'y');
      await mkdir(join(d, 'o'));
      await writeFile(join(d, 'o/old'), 'old');
    });
    const s2 = await step(s, [s1], async (d) => {
      await writeFile(join(d, 'a'), '2');
      await writeFile(join(d, 'b'), 'b');
    });
    const s3 = await step(s, [s2], async (d) => {
      await rm(join(d, 'd/x'));
      await rm(join(d, 'o'), { recursive: true });
      await mkdir(join(d, 'o'));
      await writeFile(join(d, 'o/new'), 'new');
      await writeFile(join(d, 'c'), 'c');
    });

    expect(await s.layers(s3)).toHaveLength(3);
    expect(await namesIn(s, s3)).toEqual(['/a', '/b', '/c', '/d', '/d/sub', '/d/sub/y', '/o', '/o/new']);
    expect(await namesIn(s, s1)).toEqual(['/a', '/d', '/d/sub', '/d/sub/y', '/d/x', '/o', '/o/old']);
    const v2 = await s.view(s2);
    expect(await readFile(join(v2.dir, 'a'), 'utf8')).toBe('2');
    await v2.release();

    const top = (await s.layers(s3)).at(-1)!;
    const entries = await readTar(await tarOf(top));
    expect(entries.map((e) => `${e.name} ${e.type}`)).toEqual(['c file', 'd/ directory', 'd/.wh.x file', 'o/ directory', 'o/.wh..wh..opq file', 'o/new file']);

    // The three layer tars applied in order rebuild the merged view.
    const copy = new CopySnapshotter(join(tmp, 'copy'));
    const active = await copy.prepare([]);
    for (const layer of await s.layers(s3)) await applyLayerTar(Readable.from([await tarOf(layer)]), active.dir);
    const view = await s.view(s3);
    expect(await listTree(active.dir)).toEqual(await listTree(view.dir));
    await view.release();
    expect(await mountsUnder(tmp)).toEqual([]);
  });

  it('applies a layer straight into an upper dir as a mounted apply would: whiteouts, opaque dirs, links to lower files', async () => {
    const s = new OverlaySnapshotter(join(tmp, 'root'));
    const base = await step(s, [], async (d) => {
      await mkdir(join(d, 'etc', 'keep'), { recursive: true, mode: 0o750 });
      await writeFile(join(d, 'etc', 'gone'), 'x');
      await writeFile(join(d, 'etc', 'keep', 'old'), 'old');
      await writeFile(join(d, 'etc', 'target'), 'shared');
    });
    // A layer made the usual way: a change on a mounted snapshot, written out as a tar.
    const changedSrc = await step(s, [base], async (d) => {
      await rm(join(d, 'etc', 'gone'));
      await rm(join(d, 'etc', 'keep'), { recursive: true });
      await mkdir(join(d, 'etc', 'keep'), { mode: 0o750 });
      await writeFile(join(d, 'etc', 'keep', 'new'), 'new');
      await mkdir(join(d, 'deep', 'er'), { recursive: true });
      await writeFile(join(d, 'deep', 'er', 'file'), 'deep');
    });
    const layer = await tarOf((await s.layers(changedSrc)).at(-1)!);
    const both: string[] = [];
    for (const mode of ['mounted', 'upper'] as const) {
      let id: string;
      if (mode === 'upper') {
        const up = (await s.prepareUpper([base]))!;
        await applyLayerTar(Readable.from([layer]), up.dir, { overlayUpper: { lowers: up.lowers } });
        id = await s.commit(up);
      } else {
        const a = await s.prepare([base]);
        await applyLayerTar(Readable.from([layer]), a.dir);
        id = await s.commit(a);
      }
      expect(await mountsUnder(join(tmp, 'root'))).toEqual([]);
      const view = await s.view(id);
      try {
        both.push((await listTree(view.dir)).join('\n'));
        expect(await readFile(join(view.dir, 'etc', 'keep', 'new'), 'utf8')).toBe('new');
        expect((await readdir(join(view.dir, 'etc'))).sort()).toEqual(['keep', 'target']);
        expect((await stat(join(view.dir, 'etc', 'keep'))).mode & 0o777).toBe(0o750);
      } finally {
        await view.release();
      }
    }
    expect(both[1]).toBe(both[0]);

    // A hard link to a file only a lower layer has (tar writers may emit one): copied up.
    const pack = tar.pack();
    pack.entry({ name: 'etc/alias', type: 'link', linkname: 'etc/target' });
    pack.finalize();
    const parts: Buffer[] = [];
    for await (const c of pack as AsyncIterable<Buffer>) parts.push(c);
    const linkLayer = Buffer.concat(parts);
    const up = (await s.prepareUpper([base]))!;
    await applyLayerTar(Readable.from([linkLayer]), up.dir, { overlayUpper: { lowers: up.lowers } });
    const linked = await s.commit(up);
    const view = await s.view(linked);
    try {
      expect(await readFile(join(view.dir, 'etc', 'alias'), 'utf8')).toBe('shared');
      expect(await readFile(join(view.dir, 'etc', 'target'), 'utf8')).toBe('shared');
    } finally {
      await view.release();
    }
  });

  it('mounts writable snapshots volatile where the kernel has it (5.10+); sync() then flushes them', async () => {
    const s = new OverlaySnapshotter(join(tmp, 'root'));
    const base = await step(s, [], async (d) => writeFile(join(d, 'a'), 'a'));
    const active = await s.prepare([base]);
    const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === active.dir);
    const [major, minor] = (await readFile('/proc/sys/kernel/osrelease', 'utf8')).split('.').map(Number);
    const hasVolatile = major! > 5 || (major === 5 && minor! >= 10);
    // Shown as `volatile`, or `fsync=volatile` by kernels that also have fsync=strict.
    expect(/(^|,)(fsync=)?volatile(,|$)/.test(line?.split(' - ')[1]?.split(' ')[2] ?? '')).toBe(hasVolatile);
    await writeFile(join(active.dir, 'b'), 'b');
    const id = await s.commit(active);
    await s.sync();
    // The mount point and overlay work dir went in the background, done by sync().
    expect((await readdir(join(active.dir, '..'))).sort()).toEqual(['fs', 'meta.json']);
    expect(await namesIn(s, id)).toEqual(['/a', '/b']);
  });

  it('merges several parents, the later on top', async () => {
    const s = new OverlaySnapshotter(join(tmp, 'root'));
    const a = await step(s, [], (d) => writeFile(join(d, 'f'), 'a'));
    const b = await step(s, [], (d) => writeFile(join(d, 'f'), 'b'));
    const m = await step(s, [a, b], (d) => writeFile(join(d, 'g'), 'g'));
    const view = await s.view(m);
    expect(await readFile(join(view.dir, 'f'), 'utf8')).toBe('b');
    await view.release();
  });

  it.each([
    ['page-sized mount data (relative layer paths)', undefined],
    ['a small mount data limit (flattening)', 1024],
  ])('keeps a 200-deep chain working with %s', async (_what, mountDataLimit) => {
    const s = new OverlaySnapshotter(join(tmp, 'root'), mountDataLimit ? { mountDataLimit } : {});
    let id = await step(s, [], async (d) => {
      await writeFile(join(d, 'keep'), 'base');
      await writeFile(join(d, 'f0'), '0');
    });
    for (let i = 1; i < 200; i++) {
      id = await step(s, [id], async (d) => {
        await rm(join(d, `f${i - 1}`));
        await writeFile(join(d, `f${i}`), String(i));
      });
    }
    expect(await namesIn(s, id)).toEqual(['/f199', '/keep']);
    // ~180 layers fit one page as relative paths; past that (or the lowered limit) the chain was flattened once or more.
    const layers = await s.layers(id);
    expect(layers[0]).toMatch(/\/flat$/);
    expect(layers.length).toBeLessThan(mountDataLimit ? 60 : 200);
    expect(await mountsUnder(tmp)).toEqual([]);
  }, 120_000);

  it('leaves no mount behind on failures, aborts and crashes', async () => {
    const root = join(tmp, 'root');
    const s = new OverlaySnapshotter(root);
    const base = await step(s, [], (d) => writeFile(join(d, 'f'), 'f'));
    const child = await step(s, [base], (d) => writeFile(join(d, 'g'), 'g'));

    // A mount that fails (a lower layer vanished) cleans up what prepare made.
    await rm((await s.layers(child))[0]!, { recursive: true });
    const before = await readdir(join(root, 'snapshots'));
    await expect(s.prepare([child])).rejects.toMatchObject({ code: 'snapshot/mount-failed' });
    expect(await readdir(join(root, 'snapshots'))).toEqual(before);
    expect(await mountsUnder(root)).toEqual([]);

    // abort and view release unmount.
    const ok = await step(s, [], (d) => writeFile(join(d, 'f'), 'f'));
    const ok2 = await step(s, [ok], (d) => writeFile(join(d, 'h'), 'h'));
    const active = await s.prepare([ok2]);
    const view = await s.view(ok2);
    expect(await mountsUnder(root)).toHaveLength(2);
    await s.abort(active);
    await view.release();
    expect(await mountsUnder(root)).toEqual([]);

    // A process that dies mid-build leaves mounts; recover() at the next start removes them.
    const crashed = await s.prepare([ok2]);
    await writeFile(join(crashed.dir, 'half'), 'written');
    await s.view(ok2);
    expect(await mountsUnder(root)).toHaveLength(2);
    await new OverlaySnapshotter(root).recover();
    expect(await mountsUnder(root)).toEqual([]);
    await expect(s.commit(crashed)).rejects.toMatchObject({ code: 'snapshot/not-found' });
    expect(await namesIn(s, ok2)).toEqual(['/f', '/h']);
  });

  it('unpacks the busybox corpus image into a snapshot', async () => {
    const layout = corpusDir('images/busybox-oci');
    const blob = (digest: string): string => join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
    const index = JSON.parse(await readFile(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const manifest = JSON.parse(await readFile(blob(index.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] };
    const s = new OverlaySnapshotter(join(tmp, 'root'));
    let parents: string[] = [];
    for (const layer of manifest.layers) parents = [await step(s, parents, (d) => applyLayerTar(createReadStream(blob(layer.digest)), d))];
    const view = await s.view(parents[0]!);
    const st = await stat(join(view.dir, 'bin/busybox'));
    expect(st.isFile()).toBe(true);
    expect(st.mode & 0o777).toBe(0o755);
    await view.release();
  });
});
