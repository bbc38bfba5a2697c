import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { serveFiles } from '../../support/file-server.js';
import type { FileServer } from '../../support/file-server.js';
import { kilnBin } from '../../support/kiln-cli.js';

// `ADD URL` / LLB http sources against a local HTTP server: verified by checksum, cached by
// it (no request on a rebuild), a wrong checksum names the URL and both digests.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

(canRun ? describe : describe.skip)('http sources', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-http-'));
  const root = join(work, 'root');
  const body = 'downloaded bytes\n';
  const sha = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  let server: FileServer;
  let base: string;

  beforeAll(async () => {
    server = await serveFiles(new Map([['/tool.txt', body]]));
    base = server.base;
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
  }, 30_000);
  afterAll(() => server.close());

  const build = (dockerfile: string, out?: string) => {
    const ctx = mkdtempSync(join(work, 'ctx-'));
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    return execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', ...(out ? ['--output', `type=local,dest=${out}`] : [])], { reject: false });
  };

  it('downloads, verifies and caches by checksum', async () => {
    const out = join(work, 'out');
    const df = `FROM localhost:5000/busybox:latest\nADD --checksum=${sha} ${base}/tool.txt /opt/tool.txt\n`;
    const r = await build(df, out);
    expect(r.stderr).not.toContain('ERROR');
    expect(readFileSync(join(out, 'opt', 'tool.txt'), 'utf8')).toBe(body);
    expect(statSync(join(out, 'opt', 'tool.txt')).mode & 0o777).toBe(0o600);
    const before = server.requests;
    const again = await build(df);
    expect(again.exitCode).toBe(0);
    expect(server.requests).toBe(before);
  }, 120_000);

  it('refuses a download whose checksum differs, naming the URL and both digests', async () => {
    const wrong = `sha256:${'0'.repeat(64)}`;
    mkdirSync(join(work, 'x'), { recursive: true });
    const r = await build(`FROM localhost:5000/busybox:latest\nADD --checksum=${wrong} ${base}/tool.txt /opt/tool.txt\n`);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(`${base}/tool.txt`);
    expect(r.stderr).toContain(sha);
    expect(r.stderr).toContain(wrong);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  describe('over https', () => {
    // A certificate for 127.0.0.1 that only NODE_EXTRA_CA_CERTS makes trusted. kiln's launcher
    // defers that variable past Node's start-up; the build must still trust the file.
    let tlsServer: FileServer;
    let cert: string;
    const env = (extra: string | undefined) => {
      const e: { [k: string]: string } = {};
      for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'NODE_EXTRA_CA_CERTS') e[k] = v;
      return extra ? { ...e, NODE_EXTRA_CA_CERTS: extra } : e;
    };
    const df = () => `FROM localhost:5000/busybox:latest\nADD ${tlsServer.base}/tool.txt /opt/tool.txt\n`;

    beforeAll(async () => {
      const dir = mkdtempSync(join(work, 'tls-'));
      cert = join(dir, 'cert.pem');
      await execa('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
        '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', cert]);
      tlsServer = await serveFiles(new Map([['/tool.txt', body]]), { key: readFileSync(join(dir, 'key.pem'), 'utf8'), cert: readFileSync(cert, 'utf8') });
    }, 30_000);
    afterAll(() => tlsServer?.close());

    it('trusts the certificates NODE_EXTRA_CA_CERTS names', async () => {
      const ctx = mkdtempSync(join(work, 'ctx-'));
      const out = join(work, 'out-tls');
      writeFileSync(join(ctx, 'Dockerfile'), df());
      const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`],
        { reject: false, extendEnv: false, env: env(cert) });
      expect(r.stderr).not.toContain('ERROR');
      expect(r.exitCode).toBe(0);
      expect(readFileSync(join(out, 'opt', 'tool.txt'), 'utf8')).toBe(body);
    }, 120_000);

    it('refuses the same server without them, saying why', async () => {
      const ctx = mkdtempSync(join(work, 'ctx-'));
      writeFileSync(join(ctx, 'Dockerfile'), df());
      const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain'], { reject: false, extendEnv: false, env: env(undefined) });
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toContain(`${tlsServer.base}/tool.txt`);
      expect(r.stderr).toMatch(/certificate/i);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }, 120_000);
  });
});
