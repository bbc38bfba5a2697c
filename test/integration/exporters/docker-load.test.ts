import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { dockerdBinary, startDockerd } from '../../support/dockerd.js';
import type { Dockerd } from '../../support/dockerd.js';
import { kilnBin } from '../../support/kiln-cli.js';

// `--output type=docker` loads into a real Docker engine (Debian's docker.io) when one is
// installed: the test starts a private dockerd (own socket, no bridge, no iptables), loads the
// tarball, and reads the image back. Skipped where no engine is installed.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && dockerdBinary !== undefined;

(canRun ? describe : describe.skip)('type=docker output in a Docker engine', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-docker-'));
  let docker: Dockerd | undefined;

  beforeAll(async () => {
    docker = await startDockerd(join(work, 'dockerd'));
  }, 60_000);
  afterAll(async () => {
    await docker?.stop();
  }, 30_000);

  it('is loaded by docker load with its name, config and layers', async () => {
    if (!docker) throw new Error(`dockerd did not start (see ${join(work, 'dockerd', 'dockerd.log')})`);
    const root = join(work, 'root');
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const ctx = join(work, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo loaded > /hello\nENV KILN=yes\nCMD ["cat", "/hello"]\n');
    const tarFile = join(work, 'image.tar');
    const built = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=docker,dest=${tarFile},name=kiln.test/loaded:1`], { reject: false });
    expect(built.exitCode).toBe(0);
    const load = await execa(docker.client, ['load', '-i', tarFile], { env: docker.env, reject: false });
    expect(load.stderr).toBe('');
    expect(load.stdout).toContain('kiln.test/loaded:1');
    const inspect = JSON.parse((await execa(docker.client, ['image', 'inspect', 'kiln.test/loaded:1'], { env: docker.env })).stdout) as { Config: { Env: string[]; Cmd: string[] }; RootFS: { Layers: string[] } }[];
    expect(inspect[0]!.Config.Env).toContain('KILN=yes');
    expect(inspect[0]!.Config.Cmd).toEqual(['cat', '/hello']);
    expect(inspect[0]!.RootFS.Layers.length).toBeGreaterThanOrEqual(2);
  }, 180_000);
});
