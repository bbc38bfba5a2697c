import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';
import { registryBinary, startRegistry } from '../../support/registry-server.js';
import type { RegistryServer } from '../../support/registry-server.js';

// A real registry (Debian's docker-registry) on loopback: push a built image, pull it back
// on an empty root, build FROM it; a registry that serves bytes not matching their digest is
// refused and nothing is stored. Root + runc only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync(registryBinary);

function treeOf(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const p = rel ? `${rel}/${name}` : name;
    out.push(p);
    const full = join(dir, p);
    try {
      if (readdirSync(full)) out.push(...treeOf(dir, p));
    } catch { /* not a directory */ }
  }
  return out;
}

(canRun ? describe : describe.skip)('registry push and pull', () => {
  let registry: RegistryServer;
  const work = mkdtempSync(join(tmpdir(), 'kiln-reg-'));
  const kiln = (root: string, ...args: string[]) => execa(kilnBin, [...args, '--root', root], { reject: false });

  beforeAll(async () => {
    registry = await startRegistry();
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes a built image, pulls it on an empty root and builds FROM it', async () => {
    const rootA = join(work, 'root-a');
    await kiln(rootA, 'image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest');
    const ctx = join(work, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'app.txt'), 'pushed\n');
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nCOPY app.txt /app.txt\nRUN echo built > /built && rm /bin/vi\nENV GREETING=hello\n');
    const name = `${registry.host}/kiln/app:1`;
    const pushed = await kiln(rootA, 'build', ctx, '--progress', 'plain', '--output', `type=image,name=${name},push=true`);
    expect(pushed.stderr).toContain('exported image');
    expect(pushed.exitCode).toBe(0);
    const tags = await (await fetch(`http://${registry.host}/v2/kiln/app/tags/list`)).json() as { tags: string[] };
    expect(tags.tags).toEqual(['1']);

    // An empty root: FROM the pushed image pulls it; the tree is the pushed one plus the new step.
    const rootB = join(work, 'root-b');
    const ctx2 = join(work, 'ctx2');
    mkdirSync(ctx2, { recursive: true });
    writeFileSync(join(ctx2, 'Dockerfile'), `FROM ${name}\nRUN echo "$GREETING from $(cat /app.txt)" > /seen\n`);
    const outB = join(work, 'out-b');
    const b = await kiln(rootB, 'build', ctx2, '--progress', 'plain', '--output', `type=local,dest=${outB}`);
    expect(b.stderr).not.toContain('Error');
    expect(b.exitCode).toBe(0);
    expect(readFileSync(join(outB, 'seen'), 'utf8')).toBe('hello from pushed\n');
    expect(readFileSync(join(outB, 'built'), 'utf8')).toBe('built\n');
    expect(existsSync(join(outB, 'bin', 'vi'))).toBe(false);

    // The same tree as the pushing root's own result.
    const outA = join(work, 'out-a');
    await kiln(rootA, 'build', ctx, '--progress', 'plain', '--output', `type=local,dest=${outA}`);
    expect(treeOf(outB).filter((p) => p !== 'seen')).toEqual(treeOf(outA));
  }, 180_000);

  (existsSync('/usr/bin/zstd') ? it : it.skip)('exports zstd layers that load back and build (compression=zstd)', async () => {
    const root = join(work, 'root-z');
    await kiln(root, 'image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest');
    const ctx = join(work, 'ctx-z');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo squeezed > /z && rm /bin/ls\n');
    const tarFile = join(work, 'z.tar');
    const built = await kiln(root, 'build', ctx, '--progress', 'plain', '--output', `type=oci,dest=${tarFile},name=kiln.test/z:1,compression=zstd`);
    expect(built.exitCode).toBe(0);
    const inspected = await execa('skopeo', ['inspect', '--raw', `oci-archive:${tarFile}`], { reject: false });
    if (inspected.exitCode === 0) expect(inspected.stdout).toContain('application/vnd.oci.image.layer.v1.tar+zstd');
    const root2 = join(work, 'root-z2');
    expect((await kiln(root2, 'image', 'load', tarFile)).exitCode).toBe(0);
    const ctx2 = join(work, 'ctx-z2');
    mkdirSync(ctx2, { recursive: true });
    writeFileSync(join(ctx2, 'Dockerfile'), 'FROM kiln.test/z:1\nRUN cat /z > /seen\n');
    const out = join(work, 'out-z');
    const r = await kiln(root2, 'build', ctx2, '--progress', 'plain', '--output', `type=local,dest=${out}`);
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(out, 'seen'), 'utf8')).toBe('squeezed\n');
    expect(existsSync(join(out, 'bin', 'ls'))).toBe(false);
  }, 120_000);

  describe('a registry serving wrong bytes', () => {
    let proxy: Server;
    let proxyHost: string;
    beforeAll(async () => {
      // Forwards to the real registry but flips a byte of every blob body.
      proxy = createServer(async (req, res) => {
        const upstream = await fetch(`http://${registry.host}${req.url}`, { method: req.method, headers: { accept: String(req.headers.accept ?? '*/*') } });
        const body = Buffer.from(await upstream.arrayBuffer());
        if (req.url?.includes('/blobs/') && body.length > 0) body.writeUInt8(body.readUInt8(body.length - 1) ^ 0xff, body.length - 1);
        const headers: { [k: string]: string } = {};
        upstream.headers.forEach((v, k) => { if (k !== 'content-length' && k !== 'transfer-encoding') headers[k] = v; });
        res.writeHead(upstream.status, headers);
        res.end(body);
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
      proxyHost = `127.0.0.1:${(proxy.address() as { port: number }).port}`;
    });
    afterAll(() => new Promise<void>((r) => proxy.close(() => r())));

    it('is refused with a clear error and nothing is stored', async () => {
      const root = join(work, 'root-c');
      const ctx = join(work, 'ctx3');
      mkdirSync(ctx, { recursive: true });
      writeFileSync(join(ctx, 'Dockerfile'), `FROM ${proxyHost}/kiln/app:1\nRUN true\n`);
      const r = await kiln(root, 'build', ctx, '--progress', 'plain');
      expect(r.exitCode).not.toBe(0);
      expect(r.stderr).toMatch(/digest/);
      expect(r.stderr).toContain('refused');
      expect(r.stderr).not.toMatch(/\n\s+at /);
      // No blob in the store has content other than its name says.
      const blobs = join(root, 'blobs', 'sha256');
      for (const f of existsSync(blobs) ? readdirSync(blobs).filter((n) => !n.startsWith('.')) : []) {
        expect(createHash('sha256').update(readFileSync(join(blobs, f))).digest('hex')).toBe(f);
      }
    }, 120_000);
  });
});
