import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';

// `kiln du` and `kiln prune` on a real root: what builds leave is listed, a prune frees it
// without breaking what stays (named images, snapshots other results stack on), and the
// next build runs its steps again. Root + runc only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

(canRun ? describe : describe.skip)('kiln du and kiln prune', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-prune-'));
  const root = join(work, 'root');
  const kiln = (...args: string[]) => execa(kilnBin, [...args, '--root', root], { reject: false });
  const ctx = join(work, 'ctx');

  beforeAll(async () => {
    await kiln('image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN head -c 300000 /dev/zero > /blob\nRUN echo two > /two\n');
  }, 30_000);

  it('lists the cache, frees it, and leaves a root that builds again', async () => {
    const first = await kiln('build', ctx, '--progress', 'plain');
    expect(first.exitCode).toBe(0);
    const du = await kiln('du');
    expect(du.exitCode).toBe(0);
    expect(du.stdout).toMatch(/RUN head -c 300000/);
    expect(du.stdout).toMatch(/build cache: \d+ records/);
    expect(du.stdout).toMatch(/29[0-9.]+kB|293\.0kB/);
    const snapshotsBefore = readdirSync(join(root, 'snapshots', 'snapshots')).length;

    // A prune that keeps what was used recently removes nothing of it.
    const keep = await kiln('prune', '--keep-duration', '1h');
    expect(keep.stdout).toMatch(/removed 0 cache records, 0 snapshots/);

    // The notes of which blob each unpacked layer came from go with their snapshots.
    expect(readdirSync(join(root, 'layer-blobs')).length).toBeGreaterThan(0);
    writeFileSync(join(root, 'layer-blobs', 'gone0000snapshot.json'), '{}');
    // The root's other caches: context file digests and local export records.
    for (const dir of ['local-stat', 'exports']) {
      mkdirSync(join(root, dir), { recursive: true });
      writeFileSync(join(root, dir, 'x.json'), '{}');
    }
    const pruned = await kiln('prune', '--all');
    expect(pruned.exitCode).toBe(0);
    expect(readdirSync(join(root, 'layer-blobs'))).toEqual([]);
    expect(existsSync(join(root, 'local-stat')) || existsSync(join(root, 'exports'))).toBe(false);
    expect(pruned.stdout).toMatch(/removed [1-9]\d* cache records, [1-9]\d* snapshots/);
    expect(readdirSync(join(root, 'snapshots', 'snapshots')).length).toBeLessThan(snapshotsBefore);
    expect((await kiln('du')).stdout).toMatch(/build cache: 0 records/);

    // The named image's blobs stay: the next build unpacks it again and runs its steps.
    const again = await kiln('build', ctx, '--progress', 'plain');
    expect(again.exitCode).toBe(0);
    expect(readdirSync(join(root, 'layer-blobs')).length).toBeGreaterThan(0);
    expect(again.stderr).toMatch(/RUN echo two > \/two\n#\d+ DONE/);
  }, 180_000);

  it('--keep-storage removes the least recently used results until the cache fits', async () => {
    const dir = (name: string, bytes: number) => {
      const d = join(work, name);
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'Dockerfile'), `FROM localhost:5000/busybox:latest\nRUN head -c ${bytes} /dev/urandom > /${name}\n`);
      return d;
    };
    const big = dir('big', 3_000_000);
    const small = dir('small', 200_000);
    expect((await kiln('build', big, '--progress', 'plain')).exitCode).toBe(0);
    expect((await kiln('build', small, '--progress', 'plain')).exitCode).toBe(0);
    // What stays (the named base image, the recent small result) fits in 2.5 MB, the big one does not.
    const r = await kiln('prune', '--keep-storage', '2.5MB');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/removed [1-9]\d* cache records/);
    const ran = async (d: string) => (await kiln('build', d, '--progress', 'plain')).stderr.match(/RUN head[^\n]*\n#\d+ DONE/g)?.length ?? 0;
    expect(await ran(small)).toBe(0);
    expect(await ran(big)).toBe(1);
  }, 180_000);

  it('refuses a prune without a policy, and a size it cannot read', async () => {
    const r = await kiln('prune');
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('kiln prune needs --all, --keep-duration DURATION or --keep-storage SIZE');
    const bad = await kiln('prune', '--keep-storage', 'lots');
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('invalid size "lots"');
  });
});
