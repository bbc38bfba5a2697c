import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';

// The buildpacks frontend end to end on the corpus busybox image, with shell buildpacks written
// here: detect keeps what passes (an optional one may fail), build runs each with the CNB
// environment as a non-root user, cache layers come back after an app-only change, launch
// layers and launch.toml make the image, build-only layers and excluded files stay out.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

function write(path: string, body: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, body);
  chmodSync(path, mode);
}

function buildpack(dir: string, id: string, detect: string, build: string): void {
  write(join(dir, 'buildpack.toml'), `api = "0.10"\n[buildpack]\nid = "${id}"\nversion = "0.1.0"\n`);
  write(join(dir, 'bin', 'detect'), `#!/bin/sh\nset -e\n${detect}\n`, 0o755);
  write(join(dir, 'bin', 'build'), `#!/bin/sh\nset -e\n${build}\n`, 0o755);
}

(canRun ? describe : describe.skip)('kiln build of a buildpacks project', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-cnb-'));
  const root = join(work, 'root');
  const app = join(work, 'app');
  const kiln = (...args: string[]) => execa(kilnBin, [...args, '--root', root], { reject: false });

  beforeAll(async () => {
    await kiln('image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest');
    buildpack(join(work, 'buildpacks', 'static'), 'test/static',
      `[ -f index.html ] || exit 100\nprintf '[[provides]]\\nname = "static"\\n[[requires]]\\nname = "static"\\n[requires.metadata]\\nindex = "index.html"\\n' > "$CNB_BUILD_PLAN_PATH"`,
      [
        'L="$CNB_LAYERS_DIR"',
        'count=0; [ -f "$L/deps/count" ] && count=$(cat "$L/deps/count"); count=$((count + 1))',
        'mkdir -p "$L/deps" && echo $count > "$L/deps/count" && printf \'[types]\\ncache = true\\n\' > "$L/deps.toml"',
        'mkdir -p "$L/site/env.launch" && cp index.html "$L/site/" && echo $count > "$L/site/builds" && grep -q index "$CNB_BP_PLAN_PATH" && echo planned > "$L/site/plan"',
        'printf /layers/test_static/site > "$L/site/env.launch/SITE_ROOT" && printf \'[types]\\nlaunch = true\\n\' > "$L/site.toml"',
        'mkdir -p "$L/tools/bin" && printf \'#!/bin/sh\\necho tool-ran\\n\' > "$L/tools/bin/sitetool" && chmod +x "$L/tools/bin/sitetool"',
        'printf \'[types]\\nbuild = true\\n\' > "$L/tools.toml"',
        // CNB env files of a build layer: default, append with a delimiter, override, prepend.
        'mkdir -p "$L/tools/env" "$L/tools/env.build"',
        'printf one > "$L/tools/env/LIST.default" && printf two > "$L/tools/env.build/LIST.append" && printf , > "$L/tools/env.build/LIST.delim"',
        'printf /base > "$L/tools/env/MYPATH.override" && printf /pre > "$L/tools/env.build/MYPATH.prepend" && printf : > "$L/tools/env.build/MYPATH.delim"',
        'printf set > "$L/tools/env/PLAIN"',
        'printf \'[[processes]]\\ntype = "web"\\ncommand = ["cat", "/layers/test_static/site/index.html"]\\ndefault = true\\n[[processes]]\\ntype = "count"\\ncommand = ["cat", "/layers/test_static/site/builds"]\\n\' > "$L/launch.toml"',
        'id -u > "$L/site/uid"',
      ].join('\n'));
    buildpack(join(work, 'buildpacks', 'never'), 'test/never', 'exit 100', 'exit 1');
    buildpack(join(work, 'buildpacks', 'shell'), 'test/shell', '[ -f run.sh ] || exit 100',
      [
        'L="$CNB_LAYERS_DIR"',
        'mkdir -p "$L/out" && { sitetool; echo "$GREETING"; sh run.sh; } > "$L/out/result" && printf \'[types]\\nlaunch = true\\n\' > "$L/out.toml"',
        'echo "$LIST $MYPATH $PLAIN" > "$L/out/env"',
        'mkdir -p "$L/scratch" && echo temp > "$L/scratch/x" && printf \'[types]\\nbuild = true\\n\' > "$L/scratch.toml"',
      ].join('\n'));
    write(join(app, 'index.html'), '<h1>v1</h1>\n');
    write(join(app, 'run.sh'), 'echo shell-app\n');
    write(join(app, 'secret.txt'), 'do not ship\n');
    write(join(app, 'project.toml'), [
      '[_]', 'schema-version = "0.2"', 'id = "kiln.test.app"', '',
      '[io.buildpacks]', 'builder = "localhost:5000/busybox:latest"', 'exclude = ["secret.txt"]', '',
      '[[io.buildpacks.group]]', 'uri = "../buildpacks/static"', '',
      '[[io.buildpacks.group]]', 'uri = "../buildpacks/never"', 'optional = true', '',
      '[[io.buildpacks.group]]', 'uri = "../buildpacks/shell"', '',
      '[[io.buildpacks.build.env]]', 'name = "GREETING"', 'value = "hi from project.toml"', '',
    ].join('\n'));
  }, 30_000);

  async function buildImage(tag: string) {
    const layout = join(work, `oci-${tag}`);
    const out = join(work, `out-${tag}`);
    const a = await kiln('build', app, '--progress', 'plain', '--output', `type=local,dest=${out}`);
    const b = await kiln('build', app, '--progress', 'plain', '--output', `type=oci,dest=${layout},tar=false,name=kiln.test/cnb:${tag}`);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    const blob = (d: string) => JSON.parse(readFileSync(join(layout, 'blobs', 'sha256', d.slice(7)), 'utf8')) as Record<string, unknown>;
    const manifest = blob(index.manifests[0]!.digest) as { config: { digest: string }; layers: unknown[] };
    return { a, b, out, config: blob(manifest.config.digest) as { config: { Entrypoint?: string[]; Env?: string[]; User?: string } }, layers: manifest.layers.length };
  }

  it('detects, builds as a non-root user, and makes the image of launch layers and launch.toml', async () => {
    const r = await buildImage('1');
    expect(r.a.stderr).not.toContain('ERROR');
    expect(r.a.exitCode).toBe(0);
    expect(r.b.exitCode).toBe(0);
    expect(readFileSync(join(r.out, 'layers', 'test_static', 'site', 'index.html'), 'utf8')).toBe('<h1>v1</h1>\n');
    expect(readFileSync(join(r.out, 'layers', 'test_static', 'site', 'uid'), 'utf8')).toBe('1000\n');
    expect(readFileSync(join(r.out, 'layers', 'test_static', 'site', 'plan'), 'utf8')).toBe('planned\n');
    expect(readFileSync(join(r.out, 'layers', 'test_shell', 'out', 'result'), 'utf8')).toBe('tool-ran\nhi from project.toml\nshell-app\n');
    expect(readFileSync(join(r.out, 'layers', 'test_shell', 'out', 'env'), 'utf8')).toBe('one,two /pre:/base set\n');
    // Build-only and cache-only layers, the optional buildpack that failed, excluded files: absent.
    expect(existsSync(join(r.out, 'layers', 'test_shell', 'scratch'))).toBe(false);
    expect(existsSync(join(r.out, 'layers', 'test_static', 'tools'))).toBe(false);
    expect(existsSync(join(r.out, 'layers', 'test_static', 'deps'))).toBe(false);
    expect(readdirSync(join(r.out, 'layers')).sort()).toEqual(['test_shell', 'test_static']);
    expect(existsSync(join(r.out, 'workspace', 'secret.txt'))).toBe(false);
    expect(existsSync(join(r.out, 'workspace', 'index.html'))).toBe(true);
    expect(r.config.config.Entrypoint).toEqual(['cat', '/layers/test_static/site/index.html']);
    expect(r.config.config.Env).toContain('SITE_ROOT=/layers/test_static/site');
    expect(r.config.config.User).toBe('1000:1000');
    expect(r.layers).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('finds its cache layers again after an app-only change', async () => {
    write(join(app, 'index.html'), '<h1>v2</h1>\n');
    const r = await buildImage('2');
    expect(r.a.exitCode).toBe(0);
    expect(readFileSync(join(r.out, 'layers', 'test_static', 'site', 'index.html'), 'utf8')).toBe('<h1>v2</h1>\n');
    // The deps cache layer came back: its counter went on (2 after the first build's oci export run, or more).
    expect(Number(readFileSync(join(r.out, 'layers', 'test_static', 'site', 'builds'), 'utf8'))).toBeGreaterThanOrEqual(2);
  }, 240_000);

  it('names a required buildpack that fails detect, and a mistake in project.toml', async () => {
    rmSync(join(app, 'run.sh'));
    const r = await kiln('build', app, '--progress', 'plain');
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('buildpack test/shell did not pass detect');
    write(join(app, 'run.sh'), 'echo shell-app\n');
    const bad = join(work, 'bad');
    write(join(bad, 'project.toml'), '[io.buildpacks]\nbuilder = "localhost:5000/busybox:latest"\ninclude = ["a"]\nexclude = ["b"]\n[[io.buildpacks.group]]\nuri = "x"\n');
    const b = await execa(kilnBin, ['build', bad, '--root', root], { reject: false });
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain('project.toml:4:1');
    expect(b.stderr).toContain('both include and exclude');
  }, 240_000);

  it('takes a buildpack named by id alone from the build image (/cnb/buildpacks/<id>/<version>)', async () => {
    const builderCtx = join(work, 'builder');
    mkdirSync(builderCtx, { recursive: true });
    cpSync(join(work, 'buildpacks', 'static'), join(builderCtx, 'static'), { recursive: true });
    writeFileSync(join(builderCtx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nCOPY static /cnb/buildpacks/test_static/0.1.0\n');
    const tarFile = join(work, 'builder.tar');
    expect((await kiln('build', builderCtx, '--progress', 'plain', '--output', `type=oci,dest=${tarFile},name=kiln.test/builder:1`)).exitCode).toBe(0);
    expect((await kiln('image', 'load', tarFile)).exitCode).toBe(0);
    const byId = join(work, 'by-id');
    cpSync(app, byId, { recursive: true });
    write(join(byId, 'project.toml'), '[_]\nid = "kiln.test.byid"\n[io.buildpacks]\nbuilder = "kiln.test/builder:1"\n[[io.buildpacks.group]]\nid = "test/static"\n');
    const out = join(work, 'out-byid');
    const r = await kiln('build', byId, '--progress', 'plain', '--output', `type=local,dest=${out}`);
    expect(r.stderr).not.toContain('ERROR');
    expect(readFileSync(join(out, 'layers', 'test_static', 'site', 'index.html'), 'utf8')).toContain('<h1>');
  }, 240_000);

  // Optional: a real BuildKit builds the LLB `kiln compile` writes for the project (detect ran
  // here, through kiln's solver; buildkitd runs the builds).
  const buildctl = process.env.KILN_BUILDCTL;
  const host = process.env.BUILDKIT_HOST;
  (buildctl && host ? it : it.skip)('kiln compile --frontend buildpacks writes LLB buildkitd builds', async () => {
    const compiled = await execa(kilnBin, ['compile', app, '--frontend', 'buildpacks', '--root', root], { encoding: 'buffer' });
    const out = join(work, 'out-bk');
    const locals = ['static', 'never', 'shell'].flatMap((b) => ['--local', `dockerfile:../buildpacks/${b}=${join(work, 'buildpacks', b)}`]);
    await execa(buildctl!, ['--addr', host!, 'build', '--local', `context=${app}`, ...locals, '--output', `type=local,dest=${out}`], { input: compiled.stdout });
    expect(readFileSync(join(out, 'layers', 'test_shell', 'out', 'result'), 'utf8')).toBe('tool-ran\nhi from project.toml\nshell-app\n');
  }, 300_000);
});
