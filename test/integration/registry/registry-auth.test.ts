import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';
import { registryBinary, startRegistry } from '../../support/registry-server.js';
import type { RegistryServer } from '../../support/registry-server.js';
import { startTokenServer } from '../../support/token-server.js';
import type { TokenServer } from '../../support/token-server.js';

// A registry that wants a user name and password (htpasswd, basic auth): kiln finds them in
// $DOCKER_CONFIG/config.json as `docker login` leaves them, and says clearly when it has none
// or the wrong ones. Root + runc + docker-registry + htpasswd only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync(registryBinary) && existsSync('/usr/bin/htpasswd');

(canRun ? describe : describe.skip)('registry auth', () => {
  let registry: RegistryServer;
  const work = mkdtempSync(join(tmpdir(), 'kiln-auth-'));
  const root = join(work, 'root');
  const ctx = join(work, 'ctx');
  const dockerConfig = (auth: string) => {
    const dir = join(work, `docker-${auth.length}-${Math.random().toString(16).slice(2)}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(auth).toString('base64') } } }));
    return dir;
  };
  const kiln = (env: { [k: string]: string }, ...args: string[]) =>
    execa(kilnBin, [...args, '--root', root], { reject: false, env: { ...process.env, ...env } });

  beforeAll(async () => {
    registry = await startRegistry({ users: { kiln: 's3cret' } });
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo private > /private\n');
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('pushes and pulls with the credentials of the Docker config', async () => {
    const env = { DOCKER_CONFIG: dockerConfig('kiln:s3cret') };
    const name = `${registry.host}/team/private:1`;
    const pushed = await kiln(env, 'build', ctx, '--progress', 'plain', '--output', `type=image,name=${name},push=true`);
    expect(pushed.stderr).toContain('exported image');
    expect(pushed.exitCode).toBe(0);
    const ctx2 = join(work, 'ctx2');
    mkdirSync(ctx2, { recursive: true });
    writeFileSync(join(ctx2, 'Dockerfile'), `FROM ${name}\nRUN cat /private > /seen\n`);
    const pulled = await execa(kilnBin, ['build', ctx2, '--root', join(work, 'root-b'), '--progress', 'plain', '--output', `type=local,dest=${join(work, 'out')}`], { reject: false, env: { ...process.env, ...env } });
    expect(pulled.exitCode).toBe(0);
    expect(readFileSync(join(work, 'out', 'seen'), 'utf8')).toBe('private\n');
  }, 120_000);

  it('says what is wrong without credentials, or with wrong ones', async () => {
    const name = `${registry.host}/team/private:2`;
    const none = await kiln({ DOCKER_CONFIG: join(work, 'no-config') }, 'build', ctx, '--progress', 'plain', '--output', `type=image,name=${name},push=true`);
    expect(none.exitCode).not.toBe(0);
    expect(none.stderr).toMatch(/asks for a user name and password: none found/);
    expect(none.stderr).not.toMatch(/\n\s+at /);
    const wrong = await kiln({ DOCKER_CONFIG: dockerConfig('kiln:wrong') }, 'build', ctx, '--progress', 'plain', '--output', `type=image,name=${name},push=true`);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toMatch(/401/);
  }, 120_000);
});

(canRun && existsSync('/usr/bin/openssl') ? describe : describe.skip)('registry token auth', () => {
  let tokens: TokenServer;
  let registry: RegistryServer;
  const work = mkdtempSync(join(tmpdir(), 'kiln-token-'));

  beforeAll(async () => {
    tokens = await startTokenServer(work, 'kiln', 't0ken-pass');
    registry = await startRegistry({ token: tokens, dir: join(work, 'registry') });
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
    await tokens?.stop();
  });

  it('follows the Bearer challenge to the token server with the Docker config credentials', async () => {
    const root = join(work, 'root');
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const ctx = join(work, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo tokened > /t\n');
    const cfg = join(work, 'docker');
    mkdirSync(cfg, { recursive: true });
    writeFileSync(join(cfg, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from('kiln:t0ken-pass').toString('base64') } } }));
    const name = `${registry.host}/team/tokened:1`;
    const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=image,name=${name},push=true`], { reject: false, env: { ...process.env, DOCKER_CONFIG: cfg } });
    expect(r.stderr).toContain('exported image');
    expect(r.exitCode).toBe(0);
    expect(tokens.asked).toContain('repository:team/tokened:pull,push');
    // Without credentials the token server refuses, and kiln says so.
    const denied = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=image,name=${registry.host}/team/tokened:2,push=true`], { reject: false, env: { ...process.env, DOCKER_CONFIG: join(work, 'none') } });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/token from .*: 401/);
  }, 120_000);
});
