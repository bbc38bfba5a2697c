import { cpSync, existsSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir, repoRoot } from '../support/corpus.js';
import { kilnBin } from '../support/kiln-cli.js';

// The example language in examples/tiny-lang: a frontend kiln knows nothing about, loaded
// from its file, builds its sample app; its mistakes read as messages, not stack traces.
const example = join(repoRoot, 'examples', 'tiny-lang');
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

describe('examples/tiny-lang', () => {
  it('stays under 100 lines', () => {
    expect(readFileSync(join(example, 'tiny-lang.mjs'), 'utf8').split('\n').length).toBeLessThan(100);
  });

  it('compiles to LLB without kiln knowing the language', async () => {
    const r = await execa(kilnBin, ['compile', join(example, 'hello'), '-f', join(example, 'hello', 'app.tiny'), '--frontend', join(example, 'tiny-lang.mjs'), '--format', 'json']);
    expect(r.stdout).toContain('"llb.customname":"RUN sh build.sh"');
    expect(r.stdout).toContain('"local.includepattern":"[\\"app/**\\"]"');
  });

  it('reports a mistake in a tiny file as a message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-tiny-'));
    writeFileSync(join(dir, 'bad.tiny'), 'from: busybox\nsrc: app\nbuild: make\nrun: x\n');
    const r = await execa(kilnBin, ['compile', dir, '-f', join(dir, 'bad.tiny'), '--frontend', join(example, 'tiny-lang.mjs')], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('unknown key "run"');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('loads a frontend by npm package name from the working directory', async () => {
    const project = mkdtempSync(join(tmpdir(), 'kiln-pkg-'));
    const pkg = join(project, 'node_modules', 'kiln-frontend-tiny');
    cpSync(join(example, 'tiny-lang.mjs'), join(pkg, 'index.mjs'));
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'kiln-frontend-tiny', type: 'module', exports: './index.mjs' }));
    // The package's own imports (kiln/compiler, yaml) resolve from kiln's checkout, as an installed dependency's would.
    cpSync(join(repoRoot, 'node_modules', 'yaml'), join(project, 'node_modules', 'yaml'), { recursive: true });
    symlinkSync(repoRoot, join(project, 'node_modules', 'kiln'));
    cpSync(join(example, 'hello'), join(project, 'app'), { recursive: true });
    const r = await execa(kilnBin, ['compile', 'app', '-f', 'app/app.tiny', '--frontend', 'kiln-frontend-tiny', '--format', 'json'], { cwd: project });
    expect(r.stdout).toContain('"llb.customname":"RUN sh build.sh"');
    const missing = await execa(kilnBin, ['compile', 'app', '-f', 'app/app.tiny', '--frontend', 'kiln-frontend-nope'], { cwd: project, reject: false });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain('unknown frontend "kiln-frontend-nope"');
  });

  (canRun ? it : it.skip)('builds its sample app', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-tiny-root-'));
    const ctx = mkdtempSync(join(tmpdir(), 'kiln-tiny-ctx-'));
    cpSync(join(example, 'hello'), ctx, { recursive: true });
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const out = join(ctx, 'out');
    await execa(kilnBin, ['build', ctx, '-f', join(ctx, 'app.tiny'), '--frontend', join(example, 'tiny-lang.mjs'), '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`]);
    expect(readFileSync(join(out, 'app', 'run'), 'utf8')).toContain('built 1.0');
  }, 120_000);
});
