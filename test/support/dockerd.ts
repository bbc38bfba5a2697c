import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** A private Docker engine a test started: its client, environment and how to stop it. */
export interface Dockerd {
  readonly client: string;
  readonly env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export const dockerdBinary = ['/usr/sbin/dockerd', '/usr/bin/dockerd'].find((p) => existsSync(p));

/**
 * Starts dockerd on its own socket with its state under `dir`, no bridge and no iptables (so
 * it touches nothing of the host's network), the way the build bench does. Undefined when no
 * engine is installed (Debian's docker.io) or it does not come up.
 */
export async function startDockerd(dir: string): Promise<Dockerd | undefined> {
  if (!dockerdBinary) return undefined;
  const client = ['/usr/bin/docker', '/usr/local/bin/docker'].find((p) => existsSync(p));
  if (!client) return undefined;
  mkdirSync(join(dir, 'config'), { recursive: true });
  const sock = join(dir, 'docker.sock');
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'config') };
  const log = openSync(join(dir, 'dockerd.log'), 'w');
  const daemon = spawn(dockerdBinary, ['--bridge=none', '--iptables=false', '--ip6tables=false', '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'), '--host', `unix://${sock}`, '--pidfile', join(dir, 'dockerd.pid')], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((r) => daemon.once('exit', () => r()));
  const stop = async (): Promise<void> => {
    if (daemon.exitCode !== null || daemon.pid === undefined) return;
    process.kill(daemon.pid, 'SIGTERM');
    const timer = setTimeout(() => { try { process.kill(-daemon.pid!, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
    await exited;
    clearTimeout(timer);
  };
  for (let i = 0; i < 60 && daemon.exitCode === null; i++) {
    if (spawnSync(client, ['version'], { env, stdio: 'ignore' }).status === 0) return { client, env, stop };
    await sleep(500);
  }
  await stop();
  return undefined;
}
