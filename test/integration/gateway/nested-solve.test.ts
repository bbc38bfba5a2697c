import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { corpusDir, repoRoot } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';

// A third-party frontend loaded from a file: it solves part of its graph through the
// Gateway, looks inside the result (readFile, readDir, stat), then emits the rest. Paths it
// reads stay inside the result even through a symlink aimed outside. Root + runc only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');
const compiler = pathToFileURL(join(repoRoot, 'dist/compiler/index.js')).href;

const frontendSource = `
import { llb } from ${JSON.stringify(compiler)};
export default {
  name: 'probe',
  async build(req, gw) {
    const base = llb.image('localhost:5000/busybox:latest');
    const probe = base.run({ shell: 'echo world > /greeting && echo 42 > /answer && ln -s ../../../../etc/kiln-gw-secret /escape' }).root();
    const ref = await gw.solve(await probe.marshal());
    const greeting = new TextDecoder().decode(await gw.readFile(ref, '/greeting')).trim();
    const names = (await gw.readDir(ref, '/')).map((e) => e.path);
    const link = await gw.stat(ref, '/escape');
    let escaped;
    try { escaped = new TextDecoder().decode(await gw.readFile(ref, '/escape')); } catch (e) { escaped = 'refused: ' + e.message; }
    const words = [greeting, names.includes('answer'), link.linkname, JSON.stringify(escaped), req.opts.who ?? 'nobody'];
    const final = base.run({ shell: 'echo ' + words.map((w) => "'" + String(w) + "'").join(' ') + ' > /result' }).root();
    return { definition: await final.marshal() };
  },
};
`;

(canRun ? describe : describe.skip)('nested solves through the Gateway', () => {
  const root = mkdtempSync(join(tmpdir(), 'kiln-gw-root-'));
  const dir = mkdtempSync(join(tmpdir(), 'kiln-gw-ctx-'));
  const kiln = (...args: string[]) => execa(kilnBin, [...args, '--root', root]);

  beforeAll(async () => {
    await kiln('image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest');
    writeFileSync(join(dir, 'probe.mjs'), frontendSource);
    writeFileSync(join(dir, 'build.probe'), 'anything\n');
    // What the escaping symlink would reach on the host, were paths not confined.
    writeFileSync('/etc/kiln-gw-secret', 'host secret\n');
  });
  afterAll(() => {
    rmSync('/etc/kiln-gw-secret', { force: true });
  });

  it('lets a frontend look at a solved result before it emits the rest; nested results are cached', async () => {
    const out = join(dir, 'out');
    const args = ['build', dir, '-f', join(dir, 'build.probe'), '--frontend', join(dir, 'probe.mjs'), '--opt', 'who=tester', '--progress', 'rawjson', '--output', `type=local,dest=${out}`];
    const first = await kiln(...args);
    const result = readFileSync(join(out, 'result'), 'utf8');
    expect(result).toMatch(/^world true \.\.\/\.\.\/\.\.\/\.\.\/etc\/kiln-gw-secret "refused: .*" tester\n$/);
    expect(result).not.toContain('host secret');
    expect(first.stderr).toContain('"kind":"started"');
    // The second build answers the nested solve and the final step from the cache.
    const second = await kiln(...args);
    const started = second.stderr.split('\n').filter((l) => l.includes('"kind":"started"'));
    expect(started).toEqual([]);
    expect(second.stderr).toContain('"kind":"cached"');
  }, 120_000);

  it('names a frontend file that does not export one', async () => {
    writeFileSync(join(dir, 'not-a-frontend.mjs'), 'export const x = 1;\n');
    const r = await execa(kilnBin, ['build', dir, '-f', join(dir, 'build.probe'), '--frontend', join(dir, 'not-a-frontend.mjs'), '--root', root], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('is not a kiln frontend');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);
});
