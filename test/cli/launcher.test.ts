import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir, repoRoot } from '../support/corpus.js';
import { kilnBin } from '../support/kiln-cli.js';

// dist/bundle/kiln, the executable: Node started from kiln's start-up snapshot (kiln.blob, made
// by `npm run compile` with this node), or the plain bundle when the snapshot cannot be used.
const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;

/** Runs the launcher under `sh -x`, whose trace shows which Node command it chose. */
function traced(bin: string, args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync('/bin/sh', ['-x', bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
  const exec = r.stderr.split('\n').find((l) => l.startsWith('+ exec ')) ?? '';
  const stderr = r.stderr.split('\n').filter((l) => !l.startsWith('+')).join('\n');
  return { code: r.status, stdout: r.stdout, stderr, exec };
}

describe('the kiln executable', () => {
  it('starts from the start-up snapshot made by this node', () => {
    expect(existsSync(join(repoRoot, 'dist/bundle/kiln.blob'))).toBe(true);
    const r = traced(kilnBin, ['--version']);
    expect(r.exec).toContain(`${process.execPath} --snapshot-blob`);
    expect(r.exec).toContain('kiln.blob -- --version');
    expect(r.stdout.trim()).toBe(version);
    expect(r.code).toBe(0);
  });

  it('runs the plain bundle when KILN_NO_SNAPSHOT is set, with the same results', () => {
    const plain = traced(kilnBin, ['--version'], { KILN_NO_SNAPSHOT: '1' });
    expect(plain.exec).toMatch(/kiln\.js --version$/);
    expect(plain.stdout.trim()).toBe(version);
    const cases = corpusDir('dockerfile-to-llb');
    for (const name of readdirSync(cases).filter((d) => !d.includes('.')).slice(0, 6)) {
      const args = ['compile', join(cases, name), '--format', 'json'];
      const fromSnapshot = spawnSync(kilnBin, args, { encoding: 'utf8' });
      const fromBundle = spawnSync(kilnBin, args, { encoding: 'utf8', env: { ...process.env, KILN_NO_SNAPSHOT: '1' } });
      expect(fromSnapshot.stderr).toBe(fromBundle.stderr);
      expect(fromSnapshot.stdout).toBe(fromBundle.stdout);
      expect(fromSnapshot.status).toBe(fromBundle.status);
    }
  });

  it('runs the plain bundle under V8 flags in NODE_OPTIONS (a snapshot loads only under its own)', () => {
    const r = traced(kilnBin, ['--version'], { NODE_OPTIONS: '--max-old-space-size=2048 --no-warnings' });
    expect(r.exec).toMatch(/kiln\.js --version$/);
    expect(r.stdout.trim()).toBe(version);
    expect(r.code).toBe(0);
    // Node's own options keep the snapshot (npm test runs kiln under --experimental-vm-modules).
    expect(traced(kilnBin, ['--version'], { NODE_OPTIONS: '--experimental-vm-modules --no-warnings' }).exec).toContain('--snapshot-blob');
  });

  it('runs the plain bundle under another node than the one that made the snapshot', () => {
    // Another binary named node first on PATH (here the same node reached through a symlink: the
    // launcher goes by the path it was made with, as node refuses a blob from another build).
    const bin = mkdtempSync(join(tmpdir(), 'kiln-node-'));
    try {
      symlinkSync(process.execPath, join(bin, 'node'));
      const r = traced(kilnBin, ['--version'], { PATH: `${bin}:${process.env.PATH ?? ''}` });
      expect(r.exec).toMatch(/kiln\.js --version$/);
      expect(r.stdout.trim()).toBe(version);
    } finally {
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it('runs the plain bundle when there is no snapshot beside it', () => {
    const copy = join(repoRoot, 'dist', `bundle-no-blob-${process.pid}`);
    try {
      cpSync(join(repoRoot, 'dist', 'bundle'), copy, { recursive: true });
      rmSync(join(copy, 'kiln.blob'));
      const r = traced(join(copy, 'kiln'), ['--version']);
      expect(r.exec).toMatch(/kiln\.js --version$/);
      expect(r.stdout.trim()).toBe(version);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('finds its files through a symlink, as npm link and npm bin make one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-bin-'));
    try {
      symlinkSync(kilnBin, join(dir, 'kiln'));
      const r = traced(join(dir, 'kiln'), ['--version']);
      expect(r.exec).toContain(join(repoRoot, 'dist/bundle/kiln.blob'));
      expect(r.stdout.trim()).toBe(version);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('leaves NODE_EXTRA_CA_CERTS for kiln to load when needed, not for Node to parse as it starts', () => {
    // Node reads the file before any code runs and warns when it cannot; kiln reads it on its
    // first TLS request (test/integration/sources/http-source.test.ts), so --version reads nothing.
    const direct = spawnSync(process.execPath, ['-e', '0'], { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem' } });
    expect(direct.stderr).toContain('/nonexistent/ca.pem');
    for (const noSnapshot of ['', '1']) {
      const r = traced(kilnBin, ['--version'], { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.pem', KILN_NO_SNAPSHOT: noSnapshot });
      expect(r.stdout.trim()).toBe(version);
      expect(r.stderr).not.toContain('/nonexistent/ca.pem');
      expect(r.code).toBe(0);
    }
  });

  it('reports a user error the same way from the snapshot, without a stack trace', () => {
    const r = spawnSync(kilnBin, ['build', '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('kiln: Unknown argument: bogus');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('code in the start-up snapshot', () => {
  // execa is evaluated into the snapshot (cli/snapshot-main.ts), holding the build process's
  // standard streams; a call that passed them, 'inherit' or verbose output would misbehave.
  it('passes execa no standard streams, inherit or verbose option', () => {
    const dirs = ['cli', 'runtime', 'frontends', 'compiler'].map((d) => join(repoRoot, d));
    const files = dirs.flatMap((d) => readdirSync(d, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).map((f) => join(d, f)));
    const users = files.filter((f) => !f.endsWith('snapshot-main.ts') && readFileSync(f, 'utf8').includes("'execa'"));
    expect(users.length).toBeGreaterThan(3);
    for (const f of users) expect([f, readFileSync(f, 'utf8').match(/'inherit'|verbose|process\.std(in|out|err)/g)]).toEqual([f, null]);
  });
});
