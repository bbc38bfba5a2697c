import { readdirSync, readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../support/corpus.js';
import { runKiln } from '../support/kiln-cli.js';

const casesDir = corpusDir('dockerfile-to-llb');
const cases = readdirSync(casesDir).filter((d) => !d.includes('.'));

describe('kiln llb dump', () => {
  it.each(cases)('%s: prints exactly what buildctl debug dump-llb printed', (name) => {
    const r = runKiln(['llb', 'dump', join(casesDir, name, 'llb.pb')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(casesDir, name, 'llb.jsonl'), 'utf8'));
  });

  it('reads standard input with - and prints DOT with --dot', () => {
    const bytes = readFileSync(join(casesDir, '02-multistage', 'llb.pb'));
    const r = runKiln(['llb', 'dump', '--dot', '-'], bytes);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe('digraph {');
    expect(lines.at(-1)).toBe('}');
    expect(lines.filter((l) => / -> /.test(l)).length).toBeGreaterThan(0);
    for (const l of lines.slice(1, -1)) expect(l).toMatch(/^ {2}"sha256:[0-9a-f]{64}" (\[label=".*" shape="\w+"\]|-> "sha256:[0-9a-f]{64}" \[label=".*"\]);$/);
  });

  it('rejects truncated bytes with one clear line and no stack trace', () => {
    const bytes = readFileSync(join(casesDir, '01-basic', 'llb.pb')).subarray(0, 100);
    const r = runKiln(['llb', 'dump'], bytes);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kiln: .*runs past the end.* at byte \d+/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects a graph with a dangling input', () => {
    // A terminal op pointing at an op that is not there: 0a 47 (def[0], 71 bytes) = Op{inputs:[{digest}]}.
    const digest = `sha256:${'ab'.repeat(32)}`;
    const input = Buffer.concat([Buffer.from([0x0a, digest.length]), Buffer.from(digest)]);
    const op = Buffer.concat([Buffer.from([0x0a, input.length]), input]);
    const def = Buffer.concat([Buffer.from([0x0a, op.length]), op]);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
    writeFileSync(join(dir, 'bad.pb'), def);
    const r = runKiln(['llb', 'validate', join(dir, 'bad.pb')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not in the definition');
  });

  it('reports a missing file without a stack trace', () => {
    const r = runKiln(['llb', 'dump', '/nonexistent/llb.pb']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^kiln: ENOENT/);
  });
});

describe('kiln', () => {
  it('--version prints the package version', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    const r = runKiln(['--version']);
    expect(r.stdout.trim()).toBe(pkg.version);
  });

  it('--help lists the commands', () => {
    const r = runKiln(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kiln llb');
  });

  it('an unknown command is a usage error (exit 2)', () => {
    const r = runKiln(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Unknown argument');
  });
});
