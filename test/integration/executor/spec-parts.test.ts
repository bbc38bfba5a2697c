import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../../compiler/index.js';
import {
  DEFAULT_PATH_ENV, generateSpec, hostsFile, resolvConf, resolveUser, specJson, type ContainerSpec, type SpecInputs,
} from '../../../runtime/executor/index.js';
import { tempDir } from './busybox-rootfs.js';

// The executor's pure parts, no root or runc needed.

describe('resolveUser', () => {
  const rootfs = tempDir('kiln-user-');
  mkdirSync(join(rootfs, 'etc'));
  writeFileSync(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000::/home/alice:/bin/sh\n# comment\nbob:x:1001:1001::/:/bin/sh\n');
  writeFileSync(join(rootfs, 'etc/group'), 'root:x:0:\nwheel:x:10:alice,bob\nalice:x:1000:\ndocker:x:999:alice\n');
  const linked = tempDir('kiln-user-link-');
  afterAll(() => {
    rmSync(rootfs, { recursive: true, force: true });
    rmSync(linked, { recursive: true, force: true });
  });

  it.each([
    ['', { uid: 0, gid: 0, additionalGids: [0] }],
    ['root', { uid: 0, gid: 0, additionalGids: [0] }],
    ['alice', { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] }],
    ['1000', { uid: 1000, gid: 1000, additionalGids: [1000, 10, 999] }],
    ['alice:wheel', { uid: 1000, gid: 10, additionalGids: [10] }],
    ['alice:4242', { uid: 1000, gid: 4242, additionalGids: [4242] }],
    ['4242', { uid: 4242, gid: 0, additionalGids: [0] }],
    ['1000:1000', { uid: 1000, gid: 1000, additionalGids: [1000] }],
    ['root:root', { uid: 0, gid: 0, additionalGids: [0] }],
  ])('resolves %j', async (user, expected) => {
    expect(await resolveUser(rootfs, user)).toEqual(expected);
  });

  it.each([['nobody', 'executor/unknown-user'], ['alice:nogroup', 'executor/unknown-group']])('rejects %j', async (user, code) => {
    const err = await resolveUser(rootfs, user).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(KilnError);
    expect((err as KilnError).code).toBe(code);
  });

  it('reads /etc/passwd through rootfs symlinks without escaping the rootfs', async () => {
    mkdirSync(join(linked, 'data'));
    writeFileSync(join(linked, 'data/passwd'), 'carol:x:2000:2000::/:/bin/sh\n');
    symlinkSync('/data', join(linked, 'etc'));
    expect(await resolveUser(linked, 'carol')).toEqual({ uid: 2000, gid: 2000, additionalGids: [2000] });
  });
});

describe('hostsFile', () => {
  it('lists localhost, the hostname and extra hosts', () => {
    expect(hostsFile('', [{ host: 'db', ip: '10.0.0.2' }])).toBe(
      '127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.2\tdb\n');
  });
});

describe('resolvConf', () => {
  const files = (map: Record<string, string>) => async (p: string) => map[p];

  it('drops loopback servers in a new netns and falls back to public ones', async () => {
    const text = await resolvConf('none', files({ '/etc/resolv.conf': '# c\nnameserver 127.0.0.1\nsearch example.com\noptions ndots:2\n' }));
    expect(text).toBe('nameserver 8.8.8.8\nnameserver 8.8.4.4\nnameserver 2001:4860:4860::8888\nnameserver 2001:4860:4860::8844\nsearch example.com\noptions ndots:2\n');
  });

  it('follows systemd-resolved to its upstream servers', async () => {
    const text = await resolvConf('none', files({ '/etc/resolv.conf': 'nameserver 127.0.0.53\n', '/run/systemd/resolve/resolv.conf': 'nameserver 192.0.2.1\n' }));
    expect(text).toBe('nameserver 192.0.2.1\n');
  });

  it('keeps the host file with host networking', async () => {
    expect(await resolvConf('host', files({ '/etc/resolv.conf': 'nameserver 127.0.0.53\n' }))).toBe('nameserver 127.0.0.53\n');
  });
});

describe('generateSpec', () => {
  const base: ContainerSpec = { rootfs: '/r', args: ['true'], env: ['A=1'], cwd: 'src', user: '', network: 'host', extraHosts: [], mounts: [] };
  const inputs: SpecInputs = {
    id: 'c1', user: { uid: 0, gid: 0, additionalGids: [0] }, resolvConfPath: '/s/resolv.conf', hostsPath: '/s/hosts',
    mounts: [], allCapabilities: ['CAP_SYS_ADMIN'], cgroupNamespace: false,
  };

  it('follows BuildKit defaults', () => {
    const s = generateSpec(base, inputs);
    expect(s.process.env).toEqual([DEFAULT_PATH_ENV, 'A=1']);
    expect(s.process.cwd).toBe('/src');
    expect(s.process.noNewPrivileges).toBe(false);
    expect(s.hostname).toBe('buildkitsandbox');
    expect(s.linux.namespaces.map((n) => n.type)).toEqual(['pid', 'ipc', 'uts', 'mount']);
    expect(s.mounts.map((m) => m.destination)).toEqual(['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/etc/resolv.conf', '/etc/hosts', '/sys/fs/cgroup']);
    expect(s.mounts.find((m) => m.destination === '/etc/hosts')).toEqual({ destination: '/etc/hosts', type: 'bind', source: '/s/hosts', options: ['nosuid', 'noexec', 'nodev', 'rbind', 'ro'] });
    expect(s.process.capabilities.bounding).toContain('CAP_CHOWN');
    expect(s.process.capabilities.bounding).not.toContain('CAP_SYS_ADMIN');
    expect(s.linux.maskedPaths).toContain('/proc/kcore');
  });

  it('sets rlimits and the cgroup parent as BuildKit does, unlimited as uint64', () => {
    expect(generateSpec(base, inputs).process.rlimits).toBeUndefined();
    expect(generateSpec(base, inputs).linux.cgroupsPath).toBe('/buildkit/c1');
    const s = generateSpec({ ...base, ulimits: [{ name: 'nofile', soft: 1024, hard: 2048 }, { name: 'core', soft: -1, hard: -1 }], cgroupParent: 'kiln.slice/ci' }, inputs);
    expect(s.linux.cgroupsPath).toBe('/kiln.slice/ci/buildkit/c1');
    const json = JSON.parse(specJson(s).replace(/18446744073709551615/g, '"max"')) as { process: { rlimits: unknown } };
    expect(json.process.rlimits).toEqual([{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 2048 }, { type: 'RLIMIT_CORE', soft: 'max', hard: 'max' }]);
  });

  it('gives network none its own namespace, replaces mounts by destination and opens up insecure mode', () => {
    const s = generateSpec({ ...base, network: 'none', securityInsecure: true }, {
      ...inputs, mounts: [{ destination: '/etc/hosts', type: 'bind', source: '/mine', options: ['rbind'] }],
    });
    expect(s.linux.namespaces.map((n) => n.type)).toContain('network');
    expect(s.mounts.filter((m) => m.destination === '/etc/hosts')).toEqual([{ destination: '/etc/hosts', type: 'bind', source: '/mine', options: ['rbind'] }]);
    expect(s.mounts.findIndex((m) => m.destination === '/etc/hosts')).toBe(7);
    expect(s.process.capabilities.effective).toEqual(['CAP_SYS_ADMIN']);
    expect(s.linux.maskedPaths).toEqual([]);
    expect(s.mounts.find((m) => m.destination === '/sys')?.options).not.toContain('ro');
  });
});
