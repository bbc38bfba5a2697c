import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import tar from 'tar-stream';
import { corpusDir } from '../../support/corpus.js';
import { serveFiles } from '../../support/file-server.js';
import type { FileServer } from '../../support/file-server.js';
import { kilnBin } from '../../support/kiln-cli.js';

// A Mockerfile built end to end on the corpus busybox image: two images (one the parent of
// the other), externals served by a local HTTP server (a tarball unpacked, a binary), their
// install steps run in the image, and a wrong checksum refused. Root + runc only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

async function tgz(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name, mode: 0o755 }, body);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const c of pack as AsyncIterable<Buffer>) parts.push(c);
  return gzipSync(Buffer.concat(parts));
}

(canRun ? describe : describe.skip)('kiln build of a Mockerfile', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-mocker-'));
  const root = join(work, 'root');
  const files = new Map<string, Buffer>();
  let server: FileServer;
  let base: string;
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

  beforeAll(async () => {
    files.set('/tool-1.0.tar.gz', await tgz({ 'bin/tool': '#!/bin/sh\necho tool 1.0\n', 'README': 'the tool\n' }));
    files.set('/kubectl', Buffer.from('#!/bin/sh\necho kubectl\n'));
    server = await serveFiles(files);
    base = server.base;
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
  }, 30_000);
  afterAll(() => server.close());

  const mockerfile = (toolSha: string) => `# syntax=mockerfile
apiVersion: v1alpha1
images:
- name: base
  from: localhost:5000/busybox:latest
  env:
    GREETING: hello
  steps:
  - echo "$GREETING from base" > /base.txt
- name: app
  parent: base
  external:
  - src: ${base}/tool-1.0.tar.gz
    dst: /opt/tool
    sha256: ${toolSha}
    install:
    - ln -s /opt/tool/bin/tool /usr/local/bin/tool 2>/dev/null || (mkdir -p /usr/local/bin && ln -s /opt/tool/bin/tool /usr/local/bin/tool)
  - src: ${base}/kubectl
    dst: /usr/local/bin/kubectl
    sha256: ${sha(files.get('/kubectl')!)}
  workdir: /srv
  steps:
  - tool > /srv/tool.out && kubectl > /srv/kubectl.out
  cmd: ["tool"]
`;

  function context(text: string): string {
    const ctx = mkdtempSync(join(work, 'ctx-'));
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Mockerfile.yaml'), text);
    return ctx;
  }

  it('builds the last image on its parent, with the externals in place and installed', async () => {
    const ctx = context(mockerfile(sha(files.get('/tool-1.0.tar.gz')!)));
    const out = join(work, 'out');
    const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`], { reject: false });
    expect(r.stderr).not.toContain('ERROR');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(out, 'base.txt'), 'utf8')).toBe('hello from base\n');
    expect(readFileSync(join(out, 'opt', 'tool', 'README'), 'utf8')).toBe('the tool\n');
    expect(readFileSync(join(out, 'srv', 'tool.out'), 'utf8')).toBe('tool 1.0\n');
    expect(readFileSync(join(out, 'srv', 'kubectl.out'), 'utf8')).toBe('kubectl\n');
    expect(statSync(join(out, 'usr', 'local', 'bin', 'kubectl')).mode & 0o111).not.toBe(0);
    // --target picks another image of the file.
    const baseOut = join(work, 'out-base');
    await execa(kilnBin, ['build', ctx, '--root', root, '--target', 'base', '--progress', 'plain', '--output', `type=local,dest=${baseOut}`]);
    expect(existsSync(join(baseOut, 'base.txt'))).toBe(true);
    expect(existsSync(join(baseOut, 'opt', 'tool'))).toBe(false);
  }, 180_000);

  it('refuses an external whose checksum differs, naming the URL and both digests', async () => {
    const wrong = 'c'.repeat(64);
    const ctx = context(mockerfile(wrong));
    const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain'], { reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain(`${base}/tool-1.0.tar.gz`);
    expect(r.stderr).toContain(`sha256:${wrong}`);
    expect(r.stderr).toContain(`sha256:${sha(files.get('/tool-1.0.tar.gz')!)}`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('reports a schema mistake with the YAML line and column, building nothing', async () => {
    const ctx = context('apiVersion: v1alpha1\nimages:\n- name: x\n  from: localhost:5000/busybox:latest\n  stepz:\n  - true\n');
    const r = await execa(kilnBin, ['build', ctx, '--root', root], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('Mockerfile.yaml:5:3');
    expect(r.stderr).toContain('unknown key "stepz"');
  }, 60_000);
});
