import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';
import { ociValidator } from '../../support/oci-schemas.js';
import { registryBinary, startRegistry } from '../../support/registry-server.js';
import type { RegistryServer } from '../../support/registry-server.js';

// Build cache shared through a registry and a directory: a build exports its cache, the root
// is thrown away, and a rebuild on a fresh root imports it: no RUN step executes, the output is
// the same. Root + runc + Debian's docker-registry only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync(registryBinary);

interface Ev { kind: string; name?: string }

(canRun ? describe : describe.skip)('remote build cache', () => {
  let registry: RegistryServer;
  const work = mkdtempSync(join(tmpdir(), 'kiln-rcache-'));
  const ctx = join(work, 'ctx');
  let n = 0;

  async function freshRoot(): Promise<string> {
    const root = join(work, `root-${n++}`);
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    return root;
  }

  async function build(root: string, ...extra: string[]) {
    const out = join(work, `out-${n++}`);
    const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'rawjson', '--output', `type=local,dest=${out}`, ...extra], { reject: false });
    const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Ev);
    const runs = events.filter((e) => e.kind === 'started' && / RUN /.test(e.name ?? '')).map((e) => e.name);
    return { ...r, out, runs, events };
  }

  beforeAll(async () => {
    registry = await startRegistry();
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'app.txt'), 'app v1\n');
    writeFileSync(join(ctx, 'Dockerfile'), [
      'FROM localhost:5000/busybox:latest AS deps', 'RUN cat /proc/sys/kernel/random/uuid > /deps-id',
      'FROM localhost:5000/busybox:latest', 'COPY --from=deps /deps-id /deps-id', 'COPY app.txt /app.txt',
      'RUN cat /proc/sys/kernel/random/uuid > /build-id && cat /app.txt /deps-id > /summary', '',
    ].join('\n'));
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
  });

  for (const kind of ['registry', 'local'] as const) {
    it(`type=${kind}: a fresh root rebuilds from the imported cache without running a step`, async () => {
      const to = kind === 'registry' ? `type=registry,ref=${registry.host}/kiln/cache:${n}` : `type=local,dest=${join(work, `cache-${n}`)}`;
      const from = to.replace('dest=', 'src=').replace(/,mode=\w+/, '');
      const first = await build(await freshRoot(), '--cache-to', `${to},mode=max`);
      expect(first.exitCode).toBe(0);
      expect(first.runs).toHaveLength(2);
      expect(first.stderr).toMatch(/exported cache to .*: \d+ results, \d+ layers \(mode=max\)/);

      const second = await build(await freshRoot(), '--cache-from', from);
      expect(second.stderr).not.toMatch(/warning/);
      expect(second.exitCode).toBe(0);
      expect(second.runs).toEqual([]);
      for (const f of ['build-id', 'deps-id', 'summary']) {
        expect(readFileSync(join(second.out, f), 'utf8')).toBe(readFileSync(join(first.out, f), 'utf8'));
      }

      // A change reruns only what it reaches; the deps stage still comes from the cache.
      writeFileSync(join(ctx, 'app.txt'), `app ${kind} v2\n`);
      const third = await build(await freshRoot(), '--cache-from', from);
      expect(third.runs).toHaveLength(1);
      expect(third.runs[0]).toContain('build-id');
      expect(readFileSync(join(third.out, 'deps-id'), 'utf8')).toBe(readFileSync(join(first.out, 'deps-id'), 'utf8'));
      expect(readFileSync(join(third.out, 'summary'), 'utf8')).toContain(`app ${kind} v2`);
      writeFileSync(join(ctx, 'app.txt'), 'app v1\n');
    }, 180_000);
  }

  it('type=inline: the pushed image carries the cache; a fresh root builds from it without running a step', async () => {
    const image = `${registry.host}/kiln/inline:1`;
    const root = await freshRoot();
    const pushed = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--cache-to', 'type=inline', '--output', `type=image,name=${image},push=true`], { reject: false });
    expect(pushed.exitCode).toBe(0);
    const first = await build(root);
    const second = await build(await freshRoot(), '--cache-from', `type=registry,ref=${image}`);
    expect(second.stderr).not.toMatch(/warning/);
    expect(second.runs).toEqual([]);
    expect(readFileSync(join(second.out, 'summary'), 'utf8')).toBe(readFileSync(join(first.out, 'summary'), 'utf8'));
  }, 180_000);

  it('writes a cache that is a valid OCI layout (index and manifest against the image-spec schemas)', async () => {
    const dir = join(work, 'cache-valid');
    const r = await build(await freshRoot(), '--cache-to', `type=local,dest=${dir},mode=max`);
    expect(r.exitCode).toBe(0);
    const v = ociValidator();
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    expect(v.validate('application/vnd.oci.image.index.v1+json', index)).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(dir, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as unknown;
    expect(v.validate('application/vnd.oci.image.manifest.v1+json', manifest)).toEqual([]);
    expect(v.validate('application/vnd.oci.layout.header.v1+json', readFileSync(join(dir, 'oci-layout'), 'utf8'))).toEqual([]);
  }, 120_000);

  it('mode=min exports the final result only, and a missing cache is a warning, not a failure', async () => {
    const dir = join(work, 'cache-min');
    const first = await build(await freshRoot(), '--cache-to', `type=local,dest=${dir},mode=min`);
    expect(first.stderr).toMatch(/: 1 results/);
    const second = await build(await freshRoot(), '--cache-from', `type=local,src=${dir}`);
    expect(second.runs).toEqual([]);
    const third = await build(await freshRoot(), '--cache-from', `type=local,src=${join(work, 'no-such-cache')}`);
    expect(third.exitCode).toBe(0);
    expect(third.stderr).toMatch(/warning: importing cache from .*no-such-cache failed/);
  }, 180_000);
});
