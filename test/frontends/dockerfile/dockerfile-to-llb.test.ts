import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Definition, dumpJsonLines } from '../../../compiler/index.js';
import { patterns } from '../../../compiler/index.js';
const { readIgnoreFile } = patterns;
import { compileDockerfile } from '../../../frontends/index.js';
import { OciLayout } from '../../../runtime/index.js';
import { corpusDir } from '../../support/corpus.js';

// Dockerfiles compiled by real BuildKit v0.24 (dockerfile2llb): kiln must write
// the same ops (the random local.unique is taken from BuildKit's output so that
// digests can be compared too) and the same image config.
const casesDir = corpusDir('dockerfile-to-llb');
const cases = readdirSync(casesDir).filter((d) => existsSync(join(casesDir, d, 'llb.pb')));
const amd64 = { os: 'linux', architecture: 'amd64' } as const;

async function compileCase(name: string) {
  const dir = join(casesDir, name);
  const want = Definition.unmarshal(new Uint8Array(readFileSync(join(dir, 'llb.pb'))));
  const unique = want.ops().find((o) => o.op.source?.identifier?.startsWith('local://'))?.op.source?.attrs?.['local.unique'];
  const layout = await OciLayout.open(join(corpusDir('images'), 'busybox-oci'));
  const ignore = existsSync(join(dir, '.dockerignore')) ? readIgnoreFile(readFileSync(join(dir, '.dockerignore'), 'utf8')) : [];
  const got = await compileDockerfile(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile', {
    targetPlatform: amd64,
    resolveImageConfig: async (ref, platform) => layout.resolve(ref, platform),
    excludePatterns: ignore,
    ...(unique ? { localUniqueId: unique } : {}),
  });
  return { dir, want, got };
}

/** What BuildKit's image exporter adds later (layers, times) and a history line BuildKit prints with a Go pointer. */
function comparable(config: Record<string, unknown>): Record<string, unknown> {
  const { rootfs: _rootfs, created: _created, ...rest } = config as { rootfs?: unknown; created?: unknown; history?: { created_by?: string }[] };
  const history = ((rest as { history?: { created_by?: string }[] }).history ?? []).map((h) => {
    const { created: _c, ...kept } = h as { created?: string; created_by?: string };
    return kept.created_by?.startsWith('EXPOSE ') ? { ...kept, created_by: 'EXPOSE' } : kept;
  });
  return { ...rest, history };
}

describe.each(cases)('dockerfile-to-llb %s', (name) => {
  it('writes the same ops as BuildKit, op for op', async () => {
    const { want, got } = await compileCase(name);
    got.definition.validate();
    // BuildKit draws progress-group ids at random; compare them by position instead.
    const ids = (lines: string[]) => {
      const seen = new Map<string, number>();
      return lines.map((l) =>
        l.replace(/"progress_group":\{"id":"([a-z0-9]+)"/g, (_m, id: string) => {
          if (!seen.has(id)) seen.set(id, seen.size);
          return `"progress_group":{"id":"#${seen.get(id)!}"`;
        }),
      );
    };
    expect(ids(dumpJsonLines(got.definition))).toEqual(ids(dumpJsonLines(want)));
  });

  it('writes the image config BuildKit wrote', async () => {
    const { dir, got } = await compileCase(name);
    const file = join(dir, 'expected-image-config.json');
    if (!existsSync(file)) return;
    const expected = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(comparable(JSON.parse(JSON.stringify(got.image)) as Record<string, unknown>)).toEqual(comparable(expected));
  });
});
