import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';
import { ociValidator } from '../../support/oci-schemas.js';
import type { OciValidator } from '../../support/oci-schemas.js';

// `kiln build --output type=oci|docker` as other tools read it: every JSON document against
// image-spec's own schemas, every blob against its digest, skopeo and umoci on the layout,
// the tar archives, and SOURCE_DATE_EPOCH builds that come out byte-identical. Root + runc only.

const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');
const haveSkopeo = existsSync('/usr/bin/skopeo');
const haveUmoci = existsSync('/usr/bin/umoci');

const MT = {
  descriptor: 'application/vnd.oci.descriptor.v1+json',
  layout: 'application/vnd.oci.layout.header.v1+json',
  manifest: 'application/vnd.oci.image.manifest.v1+json',
  index: 'application/vnd.oci.image.index.v1+json',
  config: 'application/vnd.oci.image.config.v1+json',
  layerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const NAME = 'kiln.test/app:1';
const EPOCH = 1700000000;

const DOCKERFILE = [
  'FROM localhost:5000/busybox:latest AS gen',
  'RUN mkdir -p /out && echo generated > /out/gen.txt',
  '',
  'FROM localhost:5000/busybox:latest',
  'ENV APP_MODE=test',
  'WORKDIR /app',
  'COPY app.txt /app/app.txt',
  'COPY --from=gen /out/gen.txt /app/gen.txt',
  'RUN echo written-by-run > /app/run.txt',
  'LABEL org.example.suite="oci-output" maintainer="kiln"',
  'CMD ["cat", "/app/run.txt"]',
  '',
].join('\n');

interface Descriptor { mediaType: string; digest: string; size: number; annotations?: Record<string, string>; platform?: { os: string; architecture: string } }
interface Index { schemaVersion: number; mediaType?: string; manifests: Descriptor[] }
interface Manifest { schemaVersion: number; mediaType?: string; config: Descriptor; layers: Descriptor[] }
interface History { created?: string; created_by?: string; comment?: string; empty_layer?: boolean }
interface Config {
  created?: string; architecture?: string; os?: string;
  config?: { Env?: string[]; Cmd?: string[]; WorkingDir?: string; Labels?: Record<string, string> };
  rootfs: { type: string; diff_ids: string[] };
  history?: History[];
}

const sha256 = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const blobPath = (layout: string, digest: string) => join(layout, 'blobs', ...digest.split(':'));
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386', ppc64: 'ppc64le', s390x: 's390x' };

/** An OCI layout read back: the index, and the one image it names. */
function readLayout(dir: string) {
  const index = json<Index>(join(dir, 'index.json'));
  const desc = index.manifests[0]!;
  const manifest = json<Manifest>(blobPath(dir, desc.digest));
  const config = json<Config>(blobPath(dir, manifest.config.digest));
  return { index, desc, manifest, config };
}

/** Schema problems of every JSON document in a layout, keyed by what was checked. */
function layoutProblems(v: OciValidator, dir: string): Record<string, string[]> {
  const { index, manifest } = readLayout(dir);
  const out: Record<string, string[]> = {
    'oci-layout': v.validate(MT.layout, readFileSync(join(dir, 'oci-layout'), 'utf8')),
    'index.json': v.validate(MT.index, readFileSync(join(dir, 'index.json'), 'utf8')),
  };
  for (const [i, d] of index.manifests.entries()) {
    out[`index.manifests[${i}]`] = v.validate(MT.descriptor, d);
    out[`manifest ${d.digest}`] = v.validate(MT.manifest, readFileSync(blobPath(dir, d.digest), 'utf8'));
  }
  out['manifest.config'] = v.validate(MT.descriptor, manifest.config);
  for (const [i, l] of manifest.layers.entries()) out[`manifest.layers[${i}]`] = v.validate(MT.descriptor, l);
  out[`config ${manifest.config.digest}`] = v.validate(MT.config, readFileSync(blobPath(dir, manifest.config.digest), 'utf8'));
  return out;
}

async function extract(tarFile: string, into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  await execa('tar', ['-xf', tarFile, '-C', into]);
  return into;
}

describe('the OCI schema validator', () => {
  const v = ociValidator();

  it("agrees with every case of image-spec's own schema tests", () => {
    const cases = [
      ...v.index.tableFixtures.map((c) => ({ file: c.file, mediaType: c.mediaType, expectValid: c.expectValid, text: readFileSync(join(v.dir, c.file), 'utf8') })),
      ...v.index.specExamples.map((c) => ({ file: c.file, mediaType: c.mediaType, expectValid: c.expectValid, text: readFileSync(join(v.dir, c.file), 'utf8') })),
      ...v.index.dockerCompat.cases.map((c) => {
        let text = readFileSync(join(v.dir, c.file), 'utf8');
        for (const [from, to] of Object.entries(v.index.dockerCompat.mediaTypeMap)) text = text.split(from).join(to);
        return { file: c.file, mediaType: c.validateAs, expectValid: c.expectValidAfterConversion, text };
      }),
    ];
    expect(cases.length).toBeGreaterThan(60);
    const wrong = cases
      .map((c) => ({ ...c, problems: v.validate(c.mediaType, c.text) }))
      .filter((c) => (c.problems.length === 0) !== c.expectValid)
      .map((c) => `${c.file}: expected ${c.expectValid ? 'valid' : 'invalid'}, got ${JSON.stringify(c.problems)}`);
    expect(wrong).toEqual([]);
  });
});

(canRun ? describe : describe.skip)('kiln build --output type=oci / type=docker', () => {
  let work: string;
  let ctx: string;
  let ociDir: string;
  let ociTar: string;
  let dockerTar: string;
  let v: OciValidator;
  /** The three outputs as layout directories: the directory itself and the two tars unpacked. */
  let layouts: Record<string, string>;

  async function freshRoot(name: string): Promise<string> {
    const root = join(work, name);
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    return root;
  }

  function build(root: string, output: string, env: Record<string, string> = {}) {
    return execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', output], { env });
  }

  beforeAll(async () => {
    v = ociValidator();
    work = mkdtempSync(join(tmpdir(), 'kiln-oci-'));
    ctx = join(work, 'ctx');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
    writeFileSync(join(ctx, 'app.txt'), 'hello from context\n');
    const root = await freshRoot('root');
    ociDir = join(work, 'oci');
    ociTar = join(work, 'x.tar');
    dockerTar = join(work, 'y.tar');
    await build(root, `type=oci,dest=${ociDir},tar=false,name=${NAME}`);
    await build(root, `type=oci,dest=${ociTar}`);
    await build(root, `type=docker,dest=${dockerTar},name=${NAME}`);
    layouts = { 'oci dir': ociDir, 'oci tar': await extract(ociTar, join(work, 'x')), 'docker tar': await extract(dockerTar, join(work, 'y')) };
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('writes only JSON documents that validate against the OCI schemas', () => {
    for (const [what, dir] of Object.entries(layouts)) {
      const problems = layoutProblems(v, dir);
      expect(Object.keys(problems).length).toBeGreaterThanOrEqual(7);
      expect({ [what]: Object.fromEntries(Object.entries(problems).filter(([, p]) => p.length > 0)) }).toEqual({ [what]: {} });
    }
    const { index, desc } = readLayout(ociDir);
    expect(index.mediaType).toBe(MT.index);
    expect(index.manifests).toHaveLength(1);
    expect(desc.mediaType).toBe(MT.manifest);
    expect(desc.annotations).toEqual({ 'io.containerd.image.name': NAME, 'org.opencontainers.image.ref.name': '1' });
    expect(json(join(ociDir, 'oci-layout'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });

  it('has a validator that rejects what is wrong', () => {
    const { manifest, config } = readLayout(ociDir);
    expect(v.validate(MT.manifest, manifest)).toEqual([]);
    const badDigest = { ...manifest, config: { ...manifest.config, digest: 'sha256:not-a-digest!' } };
    expect(v.validate(MT.manifest, badDigest).join('\n')).toMatch(/\/config\/digest/);
    expect(v.validate(MT.descriptor, { ...manifest.config, digest: `sha256:${'ab'.repeat(31)}` })).not.toEqual([]);
    expect(v.validate(MT.manifest, { ...manifest, layers: [] })).not.toEqual([]);
    expect(v.validate(MT.config, { ...config, config: { ...config.config, Env: ['NOEQUALS'] } })).not.toEqual([]);
    expect(v.validate(MT.index, { schemaVersion: 2, manifests: [{ mediaType: MT.manifest, size: '1', digest: manifest.config.digest }] })).not.toEqual([]);
  });

  it('stores every blob under its digest, with the sizes and diff_ids the documents give', () => {
    for (const [what, dir] of Object.entries(layouts)) {
      const names = readdirSync(join(dir, 'blobs', 'sha256'));
      const mismatched = names.filter((n) => sha256(readFileSync(join(dir, 'blobs', 'sha256', n))) !== `sha256:${n}`);
      expect({ [what]: mismatched }).toEqual({ [what]: [] });

      const { desc, manifest, config } = readLayout(dir);
      const described = [desc, manifest.config, ...manifest.layers];
      for (const d of described) {
        const bytes = readFileSync(blobPath(dir, d.digest));
        expect({ [what]: d.digest, size: bytes.length }).toEqual({ [what]: sha256(bytes), size: d.size });
      }
      // Nothing in blobs/ that the image does not name.
      expect(names.sort()).toEqual([...new Set(described.map((d) => d.digest.slice('sha256:'.length)))].sort());

      expect(manifest.layers.length).toBeGreaterThanOrEqual(4);
      for (const l of manifest.layers) expect(l.mediaType).toBe(MT.layerGzip);
      expect(config.rootfs.type).toBe('layers');
      expect(config.rootfs.diff_ids).toEqual(manifest.layers.map((l) => sha256(gunzipSync(readFileSync(blobPath(dir, l.digest))))));
      expect((config.history ?? []).filter((h) => !h.empty_layer)).toHaveLength(manifest.layers.length);
    }
  });

  it('reuses the base image\'s layer blobs byte for byte, as BuildKit does', () => {
    const base = readLayout(join(corpusDir('images'), 'busybox-oci'));
    for (const [what, dir] of Object.entries(layouts)) {
      const { manifest, config } = readLayout(dir);
      const n = base.manifest.layers.length;
      expect({ [what]: manifest.layers.slice(0, n).map((l) => l.digest) }).toEqual({ [what]: base.manifest.layers.map((l) => l.digest) });
      expect(config.rootfs.diff_ids.slice(0, n)).toEqual(base.config.rootfs.diff_ids);
    }
  });

  it('records the Dockerfile in the image config', () => {
    const { desc, config } = readLayout(ociDir);
    expect(config.architecture).toBe(GO_ARCH[process.arch] ?? process.arch);
    expect(config.os).toBe('linux');
    expect(desc.platform).toEqual({ os: config.os, architecture: config.architecture });
    expect(config.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/);
    expect(Math.abs(Date.parse(config.created!) - Date.now())).toBeLessThan(10 * 60_000);
    const c = config.config!;
    expect(c.Env).toEqual(expect.arrayContaining([expect.stringMatching(/^PATH=.*\/bin/), 'APP_MODE=test']));
    expect(c.Cmd).toEqual(['cat', '/app/run.txt']);
    expect(c.WorkingDir).toBe('/app');
    expect(c.Labels).toEqual({ 'org.example.suite': 'oci-output', maintainer: 'kiln' });
    const steps = (config.history ?? []).map((h) => h.created_by ?? '');
    expect(steps).toEqual(expect.arrayContaining([expect.stringContaining('COPY app.txt /app/app.txt'), expect.stringContaining('echo written-by-run')]));
  });

  (haveSkopeo ? it : it.skip)('is an image skopeo reads', async () => {
    const { desc, manifest } = readLayout(ociDir);
    const r = await execa('skopeo', ['inspect', `oci:${ociDir}:1`]);
    const info = JSON.parse(r.stdout) as { Digest: string; Layers: string[]; Architecture: string; Labels: Record<string, string>; Env: string[] };
    expect(info.Digest).toBe(desc.digest);
    expect(info.Layers).toEqual(manifest.layers.map((l) => l.digest));
    expect(info.Labels).toEqual({ 'org.example.suite': 'oci-output', maintainer: 'kiln' });
    expect(info.Env).toContain('APP_MODE=test');
    // The archives too, through skopeo's own readers of each format.
    for (const ref of [`oci-archive:${ociTar}`, `docker-archive:${dockerTar}`]) {
      const a = JSON.parse((await execa('skopeo', ['inspect', ref])).stdout) as { Layers: string[] };
      expect({ ref, layers: a.Layers.length }).toEqual({ ref, layers: manifest.layers.length });
    }
  }, 60_000);

  (haveUmoci ? it : it.skip)('unpacks with umoci into a rootfs with the RUN and COPY results', async () => {
    const bundle = join(work, 'bundle');
    await execa('umoci', ['unpack', ...(process.getuid?.() === 0 ? [] : ['--rootless']), '--image', `${ociDir}:1`, bundle]);
    const rootfs = join(bundle, 'rootfs');
    expect(readFileSync(join(rootfs, 'app', 'run.txt'), 'utf8')).toBe('written-by-run\n');
    expect(readFileSync(join(rootfs, 'app', 'app.txt'), 'utf8')).toBe('hello from context\n');
    expect(readFileSync(join(rootfs, 'app', 'gen.txt'), 'utf8')).toBe('generated\n');
    expect(existsSync(join(rootfs, 'bin', 'busybox'))).toBe(true);
    const runtime = json<{ process: { args: string[]; cwd: string; env: string[] } }>(join(bundle, 'config.json'));
    expect(runtime.process.args).toEqual(['cat', '/app/run.txt']);
    expect(runtime.process.cwd).toBe('/app');
    expect(runtime.process.env).toContain('APP_MODE=test');
  }, 60_000);

  it('writes tar archives of the layout, and Docker\'s manifest.json for type=docker', async () => {
    const list = async (f: string) => (await execa('tar', ['-tf', f])).stdout.split('\n').filter(Boolean);
    const oci = await list(ociTar);
    const docker = await list(dockerTar);
    for (const [what, names] of [['oci', oci], ['docker', docker]] as const) {
      expect({ [what]: names }).toEqual({ [what]: expect.arrayContaining(['oci-layout', 'index.json']) });
      expect(names.some((n) => /^blobs\/sha256\/[a-f0-9]{64}$/.test(n))).toBe(true);
    }
    expect(oci).not.toContain('manifest.json');
    expect(docker).toContain('manifest.json');

    const entries = JSON.parse((await execa('tar', ['-xOf', dockerTar, 'manifest.json'])).stdout) as { Config: string; RepoTags: string[]; Layers: string[] }[];
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry!.RepoTags).toEqual([NAME]);
    for (const p of [entry!.Config, ...entry!.Layers]) expect(docker).toContain(p);
    const { manifest } = readLayout(layouts['docker tar']!);
    expect(entry!.Config).toBe(`blobs/sha256/${manifest.config.digest.slice(7)}`);
    expect(entry!.Layers).toEqual(manifest.layers.map((l) => `blobs/sha256/${l.digest.slice(7)}`));
  });

  it('builds the same image twice on fresh roots with SOURCE_DATE_EPOCH', async () => {
    const env = { SOURCE_DATE_EPOCH: String(EPOCH) };
    const results = [];
    for (const n of [1, 2]) {
      const root = await freshRoot(`repro-root-${n}`);
      const dest = join(work, `repro-${n}`);
      await build(root, `type=oci,dest=${dest},tar=false,name=${NAME}`, env);
      results.push(readLayout(dest));
    }
    const [a, b] = results as [ReturnType<typeof readLayout>, ReturnType<typeof readLayout>];
    expect(a.config.created).toBe('2023-11-14T22:13:20Z');
    expect(new Date(EPOCH * 1000).toISOString()).toBe('2023-11-14T22:13:20.000Z');
    // Layer by layer first, so a difference says where it is.
    expect(b.config.rootfs.diff_ids).toEqual(a.config.rootfs.diff_ids);
    expect(b.manifest.layers).toEqual(a.manifest.layers);
    expect(b.config).toEqual(a.config);
    expect(b.desc.digest).toBe(a.desc.digest);
    expect(b.index).toEqual(a.index);
    const steps = (a.config.history ?? []).filter((h) => h.comment === 'buildkit.dockerfile.v0');
    expect(steps.length).toBeGreaterThan(0);
    for (const h of steps) expect(h.created).toBe('2023-11-14T22:13:20Z');
    expect(Object.values(layoutProblems(v, join(work, 'repro-1'))).flat()).toEqual([]);
  }, 180_000);
});
