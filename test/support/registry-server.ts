import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A Debian `docker-registry` (distribution v2.8) the test started on 127.0.0.1. */
export interface RegistryServer {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  stop(): Promise<void>;
}

export const registryBinary = '/usr/bin/docker-registry';

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/**
 * Starts a registry with its storage in a temp dir, plain http on loopback; with `users`
 * (name → password), it asks for basic auth from an htpasswd file (bcrypt, made by Debian's
 * apache2-utils `htpasswd`).
 */
export async function startRegistry(opts: {
  users?: { readonly [name: string]: string };
  /** Where config and storage go (a temp dir by default). */
  dir?: string;
  /** Bearer tokens from this server instead (`auth.token`). */
  token?: { readonly realm: string; readonly service: string; readonly issuer: string; readonly certFile: string };
} = {}): Promise<RegistryServer> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'kiln-registry-'));
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  const auth: string[] = [];
  if (opts.users) {
    const lines = Object.entries(opts.users).map(([u, p]) => execFileSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).trim());
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    auth.push('auth:', '  htpasswd:', '    realm: kiln-test', `    path: ${dir}/htpasswd`);
  } else if (opts.token) {
    const t = opts.token;
    auth.push('auth:', '  token:', `    realm: ${t.realm}`, `    service: ${t.service}`, `    issuer: ${t.issuer}`, `    rootcertbundle: ${t.certFile}`);
  }
  writeFileSync(config, [
    'version: 0.1', 'log:', '  level: error', 'storage:', '  filesystem:', `    rootdirectory: ${dir}/data`, '  delete:', '    enabled: true',
    'http:', `  addr: 127.0.0.1:${port}`, ...auth, '',
  ].join('\n'));
  const child: ChildProcess = spawn(registryBinary, ['serve', config], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`http://${host}/v2/`).then((r) => r.ok || r.status === 401, () => false);
    if (ok) break;
    if (i === 99) throw new Error(`docker-registry did not start on ${host}`);
    await sleep(100);
  }
  return {
    host,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode !== null ? r(undefined) : child.once('exit', r)));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
