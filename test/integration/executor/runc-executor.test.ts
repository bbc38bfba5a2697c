import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../../compiler/index.js';
import { ExecError, runContainer, type ContainerSpec } from '../../../runtime/executor/index.js';
import { busyboxRootfs, canRunRunc, tempDir } from './busybox-rootfs.js';

interface Logs { stdout: string[]; stderr: string[] }

const enabled = canRunRunc();

(enabled ? describe : describe.skip)('runContainer (runc)', () => {
  let work: string;
  let rootfs: string;
  let stateDir: string;

  beforeEach(() => {
    work = tempDir('kiln-executor-');
    rootfs = busyboxRootfs(work);
    stateDir = join(work, 'state');
  });
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  const spec = (args: string[], more: Partial<ContainerSpec> = {}): ContainerSpec => ({
    rootfs, args, env: [], cwd: '/', user: 'root', network: 'none', extraHosts: [], mounts: [], ...more,
  });
  const newId = (): string => `kiln-test-${randomBytes(6).toString('hex')}`;
  async function run(s: ContainerSpec, signal?: AbortSignal): Promise<Logs> {
    const logs: Logs = { stdout: [], stderr: [] };
    await runContainer(s, { stateDir, id: newId(), signal, onLog: (stream, line) => logs[stream].push(line) });
    return logs;
  }
  async function execError(s: ContainerSpec): Promise<ExecError> {
    const err = await run(s).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    return err as ExecError;
  }

  it('streams stdout and stderr lines to onLog and cleans its bundle up', async () => {
    const logs = await run(spec(['sh', '-c', 'echo hello; echo oops >&2; printf "no newline"']));
    expect(logs.stdout).toEqual(['hello', 'no newline']);
    expect(logs.stderr).toEqual(['oops']);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it('throws ExecError with the exit code, the command and the last 20 lines', async () => {
    // one stream only: lines of stdout and stderr arrive through two pipes, in no guaranteed order
    const err = await execError(spec(['sh', '-c', 'for i in $(seq 1 30); do echo line$i; done; echo bad; exit 3']));
    expect(err).toBeInstanceOf(KilnError);
    expect(err.code).toBe('executor/exit-code');
    expect(err.exitCode).toBe(3);
    expect(err.command).toContain('exit 3');
    expect(err.lastLines).toHaveLength(20);
    expect(err.lastLines.at(-1)).toBe('bad');
    expect(err.lastLines.at(-2)).toBe('line30');
    expect(err.lastLines[0]).toBe('line12');
    const fromStderr = await execError(spec(['sh', '-c', 'echo to-stderr >&2; exit 1']));
    expect(fromStderr.lastLines).toEqual(['to-stderr']);
  });

  it('counts the listed exit codes as success, and only those', async () => {
    await expect(run(spec(['sh', '-c', 'exit 3'], { validExitCodes: [0, 3] }))).resolves.toBeDefined();
    expect((await execError(spec(['sh', '-c', 'exit 0'], { validExitCodes: [3] }))).exitCode).toBe(0);
    expect((await execError(spec(['sh', '-c', 'exit 4'], { validExitCodes: [3] }))).exitCode).toBe(4);
  });

  it('applies ulimits and puts the container under the cgroup parent', async () => {
    const parent = `kiln-test-${randomBytes(4).toString('hex')}`;
    // Where the parent lands: /sys/fs/cgroup/<parent> (v2) or under each v1 controller.
    const hierarchies = existsSync('/sys/fs/cgroup/cgroup.controllers') ? ['/sys/fs/cgroup']
      : readdirSync('/sys/fs/cgroup').map((c) => join('/sys/fs/cgroup', c)).filter((d) => existsSync(join(d, 'cgroup.procs')));
    try {
      const logs = await run(spec(['sh', '-c', 'ulimit -Sn; ulimit -Hn'], { ulimits: [{ name: 'nofile', soft: 321, hard: 654 }], cgroupParent: parent }));
      expect(logs.stdout).toEqual(['321', '654']);
      // runc removes the container's own cgroup when it exits; the parent's stays.
      expect(hierarchies.some((h) => existsSync(join(h, parent, 'buildkit')))).toBe(true);
    } finally {
      for (const h of hierarchies) {
        for (const d of [join(h, parent, 'buildkit'), join(h, parent)]) if (existsSync(d)) rmdirSync(d);
      }
    }
  });

  it('reports a missing executable as an ExecError with runc\'s message', async () => {
    const err = await execError(spec(['/no/such/binary']));
    expect(err.exitCode).not.toBe(0);
    expect(err.lastLines.join('\n')).toMatch(/no such file or directory/i);
  });

  it('sets env (with the default PATH), creates the cwd for the user and resolves names from the rootfs', async () => {
    const logs = await run(spec(['sh', '-c', 'echo "$FOO|$PATH"; pwd; id -u; id -g; hostname'], {
      env: ['FOO=bar'], cwd: '/work/dir', user: 'nobody',
    }));
    expect(logs.stdout).toEqual(['bar|/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', '/work/dir', '65534', '65534', 'buildkitsandbox']);
    expect(statSync(join(rootfs, 'work/dir')).uid).toBe(65534);
    expect(statSync(join(rootfs, 'work')).uid).toBe(65534);
  });

  it('takes uid:gid as is and keeps an explicit PATH', async () => {
    const logs = await run(spec(['sh', '-c', 'id -u; id -g; echo $PATH'], { user: '1000:1000', env: ['PATH=/bin'], hostname: 'box' }));
    expect(logs.stdout).toEqual(['1000', '1000', '/bin']);
  });

  it('rejects a user name that the rootfs does not know', async () => {
    const err = await run(spec(['true'], { user: 'nosuchuser' })).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    expect((err as KilnError).code).toBe('executor/unknown-user');
  });

  it('gives network none only a loopback interface and host the host interfaces', async () => {
    const none = await run(spec(['cat', '/proc/net/dev']));
    const ifaces = (lines: string[]) => lines.slice(2).map((l) => l.trim().split(':')[0]);
    expect(ifaces(none.stdout)).toEqual(['lo']);
    const host = await run(spec(['cat', '/proc/net/dev'], { network: 'host' }));
    const hostIfaces = readFileSync('/proc/net/dev', 'utf8').trim().split('\n').slice(2).map((l) => l.trim().split(':')[0]);
    expect(ifaces(host.stdout).sort()).toEqual(hostIfaces.sort());
  });

  it('bind-mounts generated /etc/hosts and /etc/resolv.conf and leaves no stub in the rootfs', async () => {
    expect(existsSync(join(rootfs, 'etc/hosts'))).toBe(false);
    const logs = await run(spec(['sh', '-c', 'cat /etc/hosts; echo ---; cat /etc/resolv.conf'], {
      hostname: 'builder', extraHosts: [{ host: 'registry.local', ip: '10.1.2.3' }],
    }));
    const hosts = logs.stdout.slice(0, logs.stdout.indexOf('---'));
    expect(hosts).toEqual(['127.0.0.1\tlocalhost builder', '::1\tlocalhost ip6-localhost ip6-loopback', '10.1.2.3\tregistry.local']);
    const resolv = logs.stdout.slice(logs.stdout.indexOf('---') + 1);
    expect(resolv.some((l) => l.startsWith('nameserver '))).toBe(true);
    expect(resolv.some((l) => /^nameserver (127\.|::1$)/.test(l))).toBe(false);
    expect(existsSync(join(rootfs, 'etc/hosts'))).toBe(false);
    expect(existsSync(join(rootfs, 'etc/resolv.conf'))).toBe(false);
  });

  it('removes only the stub directories that stayed empty', async () => {
    await run(spec(['sh', '-c', 'echo kept > /a/file'], { mounts: [{ kind: 'tmpfs', dest: '/a/b/c' }] }));
    expect(readFileSync(join(rootfs, 'a/file'), 'utf8')).toBe('kept\n');
    expect(existsSync(join(rootfs, 'a/b'))).toBe(false);
  });

  it('mounts binds read-only or writable and removes the stub directories it created', async () => {
    const ro = join(work, 'ro');
    const rw = join(work, 'rw');
    mkdirSync(ro);
    mkdirSync(rw);
    writeFileSync(join(ro, 'f'), 'ro-data');
    const err = await execError(spec(['sh', '-c', 'cat /a/b/ro/f; echo; touch /a/b/ro/new'], {
      mounts: [{ kind: 'bind', dest: '/a/b/ro', source: ro, readonly: true }],
    }));
    expect(err.lastLines).toContain('ro-data');
    expect(err.lastLines.join('\n')).toMatch(/Read-only file system/);
    expect(existsSync(join(ro, 'new'))).toBe(false);
    expect(existsSync(join(rootfs, 'a'))).toBe(false);

    await run(spec(['touch', '/mnt/rw/new'], { mounts: [{ kind: 'bind', dest: '/mnt/rw', source: rw, readonly: false }] }));
    expect(existsSync(join(rw, 'new'))).toBe(true);
    expect(existsSync(join(rootfs, 'mnt'))).toBe(false);
  });

  it('mounts a tmpfs with its size', async () => {
    const logs = await run(spec(['sh', '-c', 'grep " /scratch " /proc/mounts; df -k /scratch | tail -n 1'], {
      mounts: [{ kind: 'tmpfs', dest: '/scratch', size: 2 * 1024 * 1024 }],
    }));
    expect(logs.stdout[0]).toMatch(/^tmpfs \/scratch tmpfs .*size=2048k/);
    expect(logs.stdout[1]?.trim().split(/\s+/)[1]).toBe('2048');
    expect(existsSync(join(rootfs, 'scratch'))).toBe(false);
  });

  it('mounts a secret read-only with its mode and owner, outside the rootfs', async () => {
    const logs = await run(spec(['sh', '-c', 'cat /run/secrets/token; echo; stat -c "%a %u %g" /run/secrets/token; grep " /run/secrets/token " /proc/mounts; echo x > /run/secrets/token || echo denied'], {
      mounts: [{ kind: 'secret', dest: '/run/secrets/token', data: new TextEncoder().encode('s3cr3t'), mode: 0o440, uid: 1000, gid: 1001 }],
    }));
    expect(logs.stdout[0]).toBe('s3cr3t');
    expect(logs.stdout[1]).toBe('440 1000 1001');
    expect(logs.stdout[2]).toMatch(/^tmpfs \/run\/secrets\/token tmpfs ro,/);
    expect(logs.stdout[3]).toBe('denied');
    expect(existsSync(join(rootfs, 'run'))).toBe(false);
    expect(readdirSync(stateDir)).toEqual([]);
    expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(stateDir);
  });

  it('bind-mounts an ssh socket with its owner and mode', async () => {
    const sock = join(work, 'agent.sock');
    execFileSync('python3', ['-c', `import socket; s=socket.socket(socket.AF_UNIX); s.bind(${JSON.stringify(sock)})`]);
    const logs = await run(spec(['stat', '-c', '%F %a %u', '/run/buildkit/ssh_agent.0'], {
      mounts: [{ kind: 'ssh', dest: '/run/buildkit/ssh_agent.0', socket: sock, mode: 0o600, uid: 1000, gid: 1000 }],
    }));
    expect(logs.stdout).toEqual(['socket 600 1000']);
    expect(existsSync(join(rootfs, 'run'))).toBe(false);
  });

  it('makes the rootfs read-only on request', async () => {
    const err = await execError(spec(['touch', '/newfile'], { readonlyRootfs: true }));
    expect(err.lastLines.join('\n')).toMatch(/Read-only file system/);
    expect(existsSync(join(rootfs, 'newfile'))).toBe(false);
  });

  it('grants every capability in insecure mode only', async () => {
    const capEff = async (insecure: boolean): Promise<bigint> => {
      const logs = await run(spec(['grep', 'CapEff', '/proc/self/status'], { securityInsecure: insecure }));
      return BigInt(`0x${logs.stdout[0]?.split(/\s+/)[1] ?? '0'}`);
    };
    const sysAdmin = 1n << 21n;
    expect((await capEff(false)) & sysAdmin).toBe(0n);
    expect((await capEff(true)) & sysAdmin).toBe(sysAdmin);
  });

  it('kills the container within 2s when aborted and leaves no runc container', async () => {
    const id = newId();
    const ac = new AbortController();
    let abortedAt = 0;
    const started = Date.now();
    const p = runContainer(spec(['sh', '-c', 'echo started; exec sleep 60']), {
      stateDir, id, signal: ac.signal,
      onLog: (_s, line) => {
        if (line === 'started') {
          abortedAt = Date.now();
          ac.abort(new KilnError('canceled', 'test canceled'));
        }
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'canceled' });
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(Date.now() - started).toBeLessThan(10000);
    expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(id);
    expect(readdirSync(stateDir)).toEqual([]);
  });

  it('cleans up when aborted while runc is still creating the container', async () => {
    const id = newId();
    const ac = new AbortController();
    const p = runContainer(spec(['sleep', '60']), { stateDir, id, signal: ac.signal });
    setTimeout(() => ac.abort(), 30);
    await expect(p).rejects.toBeDefined();
    expect(execFileSync('runc', ['list', '-q'], { encoding: 'utf8' })).not.toContain(id);
    expect(readdirSync(stateDir)).toEqual([]);
    expect(lstatSync(rootfs).isDirectory()).toBe(true);
  });
});
