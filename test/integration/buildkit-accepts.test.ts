import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { dumpJsonLines, llb } from '../../compiler/index.js';
import { kilnBin } from '../support/kiln-cli.js';
// @ts-expect-error: plain JS fixture shared with a child process
import { sampleGraph } from '../fixtures/sample-graph.mjs';

// Checks kiln's LLB against a real BuildKit. BuildKit is not a Debian package,
// so this runs where a developer points it at one: KILN_BUILDCTL=/path/to/buildctl
// (v0.24) for `dump-llb`, plus BUILDKIT_HOST=unix:///… for a daemon that can pull
// localhost:5000/busybox (the corpus image) to solve the graph.
const buildctl = process.env.KILN_BUILDCTL;
const host = process.env.BUILDKIT_HOST;
const withBuildctl = buildctl ? describe : describe.skip;

withBuildctl('a real BuildKit accepts kiln LLB', () => {
  const build = sampleGraph as (l: typeof llb) => llb.State;

  it('buildctl debug dump-llb reads it and prints what kiln prints', async () => {
    const def = await build(llb).marshal();
    const dir = mkdtempSync(join(tmpdir(), 'kiln-bk-'));
    writeFileSync(join(dir, 'llb.pb'), def.marshal());
    const r = await execa(buildctl!, ['debug', 'dump-llb', join(dir, 'llb.pb')]);
    expect(r.stdout.split('\n')).toEqual(dumpJsonLines(def));
  });

  (host ? it : it.skip)('buildkitd solves it', async () => {
    const def = await build(llb).marshal();
    const dir = mkdtempSync(join(tmpdir(), 'kiln-bk-'));
    mkdirSync(join(dir, 'ctx', 'src'), { recursive: true });
    writeFileSync(join(dir, 'ctx', 'hello.txt'), 'hello-kiln\n');
    writeFileSync(join(dir, 'ctx', 'src', 'a'), 'a\n');
    await execa(buildctl!, ['--addr', host!, 'build', '--local', `context=${join(dir, 'ctx')}`, '--output', `type=local,dest=${join(dir, 'out')}`], { input: Buffer.from(def.marshal()) });
    expect(readFileSync(join(dir, 'out', 'app', 'greeting'), 'utf8')).toBe('hello-kiln\n');
    expect(readFileSync(join(dir, 'out', 'app', 'changed'), 'utf8')).toBe('changed\n');
  }, 300_000);

  (host ? it : it.skip)('buildkitd builds what kiln compile --frontend mockerfile writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-bk-mocker-'));
    writeFileSync(join(dir, 'Mockerfile.yaml'), 'apiVersion: v1alpha1\nimages:\n- name: base\n  from: localhost:5000/busybox:latest\n  env:\n    WHO: mocker\n- name: app\n  parent: base\n  steps:\n  - echo "built by $WHO" > /who\n');
    const compiled = await execa(kilnBin, ['compile', dir, '--frontend', 'mockerfile'], { encoding: 'buffer' });
    await execa(buildctl!, ['--addr', host!, 'build', '--output', `type=local,dest=${join(dir, 'out')}`], { input: compiled.stdout });
    expect(readFileSync(join(dir, 'out', 'who'), 'utf8')).toBe('built by mocker\n');
  }, 300_000);
});
