import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { access, chmod, chown, mkdir, realpath } from 'node:fs/promises';
import { constants } from 'node:os';
import { join, posix } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { KilnError } from '../../compiler/index.js';
import { boundingCapabilities } from './capabilities.js';
import { EXEC_ERROR_LOG_LINES, ExecError } from './exec-error.js';
import { hostsFile } from './hosts-file.js';
import { mountStubsCleaner } from './mount-stubs.js';
import { generateSpec, specJson, type OciMount } from './oci-spec.js';
import { resolvConf } from './resolv-conf.js';
import { rootPath } from './root-path.js';
import { prepareSecret } from './secret-mount.js';
import type { ContainerMount, ContainerSpec, RunContainerOptions } from './types.js';
import { killContainer } from './runc-kill.js';
import { resolveUser } from './user.js';

const RUNC = 'runc';

/**
 * Runs one process in a runc container and resolves when it exits 0
 * (BuildKit's `runcexecutor.Run`). A bundle (config.json, hosts, resolv.conf,
 * secret tmpfs mounts) is made under `opts.stateDir/<id>` and removed
 * afterwards, with the container and the mount stubs runc created in the rootfs.
 *
 * @throws ExecError when the process exits non-zero; the signal's reason when aborted.
 * @example
 * await runContainer({ rootfs, args: ['sh', '-c', 'make'], env: [], cwd: '/src', user: 'root',
 *   network: 'none', extraHosts: [], mounts: [] }, { stateDir: '/var/lib/kiln/executor', onLog: print });
 */
export async function runContainer(spec: ContainerSpec, opts: RunContainerOptions): Promise<void> {
  throwIfAborted(opts.signal);
  const id = opts.id ?? `kiln-${randomBytes(12).toString('hex')}`;
  const rootfs = await realpath(spec.rootfs);
  const bundle = join(opts.stateDir, id);
  // Synchronous writes of a few small files: when containers start together, thread-pool round
  // trips held each runc start back by ~10 ms.
  mkdirSync(opts.stateDir, { recursive: true, mode: 0o711 });
  mkdirSync(bundle, { mode: 0o711 });
  const cleanups: Array<() => Promise<void>> = [async () => rmSync(bundle, { recursive: true, force: true })];
  try {
    const hostsPath = join(bundle, 'hosts');
    const resolvPath = join(bundle, 'resolv.conf');
    writeFileSync(hostsPath, hostsFile(spec.hostname ?? '', spec.extraHosts), { mode: 0o644 });
    writeFileSync(resolvPath, await resolvConf(spec.network), { mode: 0o644 });

    cleanups.push(await mountStubsCleaner(rootfs, spec.mounts.map((m) => m.dest)));
    const user = await resolveUser(rootfs, spec.user);
    const mounts: OciMount[] = [];
    for (const [i, m] of spec.mounts.entries()) {
      mounts.push(await toOciMount(m, join(bundle, `secret-${i}`), cleanups));
    }
    await ensureCwd(rootfs, spec.cwd, user.uid, user.gid);

    const config = generateSpec({ ...spec, rootfs }, {
      id, user, resolvConfPath: resolvPath, hostsPath, mounts,
      allCapabilities: spec.securityInsecure ? await boundingCapabilities() : [],
      cgroupNamespace: await cgroupV2NamespaceSupported(),
    });
    writeFileSync(join(bundle, 'config.json'), specJson(config), { mode: 0o600 });
    throwIfAborted(opts.signal);

    // `runc run` deletes its container when the process exits; only a run that did not get
    // that far (runc failed or was killed) leaves one to delete. Skipping the delete saves a
    // process start per RUN.
    let ranToExit = false;
    cleanups.push(async () => {
      if (!ranToExit) await (await import('execa')).execa(RUNC, ['delete', '--force', id], { reject: false, stdin: 'ignore' });
    });
    const exit = await runRunc(id, bundle, opts);
    ranToExit = !opts.signal?.aborted;
    // BuildKit's exitError: only 0 succeeds, unless the exec lists the codes that do.
    const valid = spec.validExitCodes && spec.validExitCodes.length > 0 ? spec.validExitCodes : [0];
    if (valid.includes(exit.code)) return;
    // like BuildKit's exitError: a process that made it to exit 0 counts even if canceled meanwhile
    throwIfAborted(opts.signal);
    throw new ExecError(exit.code, spec.args, exit.lastLines);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
}

/** `runc run` with stdout/stderr streamed line by line; on abort the container is killed. */
async function runRunc(id: string, bundle: string, opts: RunContainerOptions): Promise<{ code: number; lastLines: string[] }> {
  // execa (with its dependencies, a third of a build's code) loads on first use, here and in
  // the runtime's other child processes: a build whose steps are all cached never needs it.
  const { execa } = await import('execa');
  const child = execa(RUNC, ['run', '--bundle', bundle, id], { stdin: 'ignore', buffer: false, reject: false });
  const lastLines: string[] = [];
  const pump = (stream: Readable | null, name: 'stdout' | 'stderr'): Promise<void> => {
    if (!stream) return Promise.resolve();
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > EXEC_ERROR_LOG_LINES) lastLines.shift();
      try {
        opts.onLog?.(name, line);
      } catch {
        // a failing log sink must not take the container's output (or the process) down with it
      }
    });
    return new Promise((resolve) => lines.once('close', resolve));
  };
  let ended = false;
  const onAbort = (): void => {
    void killContainer(RUNC, id, () => ended, () => child.kill('SIGKILL'));
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const [result] = await Promise.all([child, pump(child.stdout, 'stdout'), pump(child.stderr, 'stderr')]);
    if (result.exitCode !== undefined) return { code: result.exitCode, lastLines };
    if (result.signal === undefined) {
      throw new KilnError('executor/runc', `failed to start ${RUNC}: ${result.shortMessage}`, { cause: result });
    }
    // runc itself was killed: report it the way runc reports a signaled process
    return { code: 128 + (constants.signals[result.signal] ?? 0), lastLines };
  } finally {
    ended = true;
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

async function toOciMount(m: ContainerMount, secretDir: string, cleanups: Array<() => Promise<void>>): Promise<OciMount> {
  const destination = posix.join('/', m.dest);
  switch (m.kind) {
    case 'bind':
      return { destination, type: 'bind', source: m.source, options: ['rbind', ...(m.readonly ? ['ro'] : [])] };
    case 'tmpfs':
      return { destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', ...(m.size && m.size > 0 ? [`size=${m.size}`] : [])] };
    case 'secret': {
      const prepared = await prepareSecret(secretDir, { ...m, dest: destination });
      cleanups.push(() => prepared.release());
      return prepared.mount;
    }
    case 'ssh':
      await chown(m.socket, m.uid, m.gid);
      await chmod(m.socket, m.mode & 0o777);
      return { destination, type: 'bind', source: m.socket, options: ['rbind'] };
    default: {
      const never: never = m;
      throw new KilnError('executor/bad-mount', `unknown mount kind ${(never as { kind: string }).kind}`);
    }
  }
}

/** Creates a missing working directory, each new directory owned by the process's user (BuildKit's `MkdirAllAndChown`). */
async function ensureCwd(rootfs: string, cwd: string, uid: number, gid: number): Promise<void> {
  const target = await rootPath(rootfs, cwd || '/');
  if (await exists(target)) return;
  const parts = target.slice(rootfs.length).split('/').filter((c) => c !== '');
  let dir = rootfs;
  for (const part of parts) {
    dir = join(dir, part);
    if (await exists(dir)) continue;
    try {
      await mkdir(dir, { mode: 0o755 });
      await chown(dir, uid, gid);
    } catch (err) {
      throw new KilnError('executor/cwd', `failed to create working directory ${cwd}`, { cause: err });
    }
  }
}

/** Cgroup namespaces only work on cgroup v2 (moby/buildkit#4108). */
async function cgroupV2NamespaceSupported(): Promise<boolean> {
  return (await exists('/proc/self/ns/cgroup')) && (await exists('/sys/fs/cgroup/cgroup.subtree_control'));
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(() => true, () => false);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new KilnError('canceled', 'build canceled');
}

