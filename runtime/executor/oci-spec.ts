import { posix } from 'node:path';
import { DEFAULT_CAPABILITIES } from './capabilities.js';
import { DEFAULT_HOSTNAME } from './hosts-file.js';
import type { ContainerSpec } from './types.js';
import type { ResolvedUser } from './user.js';

/** BuildKit's PATH for an exec that sets none (`system.DefaultPathEnvUnix`). */
export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One entry of an OCI runtime spec's `mounts`. */
export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** The parts of the OCI runtime spec (config.json) kiln writes. */
export interface OciSpec {
  ociVersion: string;
  process: {
    terminal: boolean;
    user: { uid: number; gid: number; additionalGids: number[] };
    args: string[];
    env: string[];
    cwd: string;
    capabilities: Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]>;
    noNewPrivileges: boolean;
    rlimits?: Array<{ type: string; soft: bigint; hard: bigint }>;
  };
  root: { path: string; readonly: boolean };
  hostname: string;
  mounts: OciMount[];
  linux: {
    cgroupsPath: string;
    resources: { devices: Array<{ allow: boolean; type?: string; access: string }> };
    namespaces: Array<{ type: string }>;
    devices?: Array<{ path: string; type: string; major: number; minor: number }>;
    maskedPaths: string[];
    readonlyPaths: string[];
  };
}

/** What {@link generateSpec} needs besides the container spec; everything here is already on the host. */
export interface SpecInputs {
  readonly id: string;
  readonly user: ResolvedUser;
  readonly resolvConfPath: string;
  readonly hostsPath: string;
  /** The container's own mounts, already turned into OCI mounts, in order. */
  readonly mounts: readonly OciMount[];
  /** Every capability, for `securityInsecure`. */
  readonly allCapabilities: readonly string[];
  /** Whether to unshare the cgroup namespace (cgroup v2 only, moby/buildkit#4108). */
  readonly cgroupNamespace: boolean;
}

/**
 * The OCI runtime spec of one exec: containerd's default Linux spec as BuildKit
 * amends it (`oci.GenerateSpec`): no /run tmpfs, read-only binds of the
 * generated resolv.conf and hosts, a read-only cgroup mount, new privileges
 * allowed, rlimits only for the exec's ulimits, the cgroup under `<cgroupParent>/buildkit/<id>`,
 * the network namespace only for `none`, then the exec's
 * mounts de-duplicated by destination (a later mount replaces an earlier one in
 * place). Seccomp and AppArmor profiles are not applied (see docs).
 */
export function generateSpec(spec: ContainerSpec, inputs: SpecInputs): OciSpec {
  const insecure = spec.securityInsecure === true;
  const caps = insecure ? [...inputs.allCapabilities] : [...DEFAULT_CAPABILITIES];
  const roBind = (source: string, destination: string): OciMount =>
    ({ destination, type: 'bind', source, options: ['nosuid', 'noexec', 'nodev', 'rbind', 'ro'] });
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', ...(insecure ? [] : ['ro'])] },
    roBind(inputs.resolvConfPath, '/etc/resolv.conf'),
    roBind(inputs.hostsPath, '/etc/hosts'),
    { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: [...(insecure ? [] : ['ro']), 'nosuid', 'noexec', 'nodev'] },
    ...inputs.mounts,
  ];
  const namespaces = ['pid', 'ipc', 'uts', 'mount', ...(spec.network === 'none' ? ['network'] : []), ...(inputs.cgroupNamespace ? ['cgroup'] : [])];
  const env = spec.env.some((e) => e.startsWith('PATH=')) ? [...spec.env] : [DEFAULT_PATH_ENV, ...spec.env];
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: inputs.user.uid, gid: inputs.user.gid, additionalGids: [...inputs.user.additionalGids] },
      args: [...spec.args],
      env,
      cwd: posix.join('/', spec.cwd || '/'),
      capabilities: {
        bounding: caps, effective: caps, permitted: caps,
        inheritable: insecure ? caps : [], ambient: insecure ? caps : [],
      },
      noNewPrivileges: false,
      // As BuildKit: RLIMIT_<NAME> for each ulimit, none otherwise (the runtime's defaults).
      ...(spec.ulimits && spec.ulimits.length > 0
        ? { rlimits: spec.ulimits.map((u) => ({ type: `RLIMIT_${u.name.toUpperCase()}`, soft: rlimitValue(u.soft), hard: rlimitValue(u.hard) })) }
        : {}),
    },
    root: { path: spec.rootfs, readonly: spec.readonlyRootfs === true },
    hostname: spec.hostname || DEFAULT_HOSTNAME,
    mounts: dedupMounts(mounts),
    linux: {
      cgroupsPath: posix.join('/', spec.cgroupParent ?? '', 'buildkit', inputs.id),
      resources: {
        devices: insecure
          ? [{ allow: true, type: 'c', access: 'rwm' }, { allow: true, type: 'b', access: 'rwm' }]
          : [{ allow: false, access: 'rwm' }],
      },
      namespaces: namespaces.map((type) => ({ type })),
      ...(insecure ? { devices: insecureDevices() } : {}),
      maskedPaths: insecure ? [] : [
        '/proc/acpi', '/proc/asound', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
        '/proc/timer_stats', '/proc/sched_debug', '/sys/firmware', '/sys/devices/virtual/powercap', '/proc/scsi',
      ],
      readonlyPaths: insecure ? [] : ['/proc/asound', '/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** An LLB ulimit (int64) as the spec's uint64: -1, as Go's conversion makes it, is RLIM_INFINITY. */
function rlimitValue(n: number): bigint {
  return BigInt.asUintN(64, BigInt(Math.trunc(n)));
}

const U64 = '\u0000u64:';

/** The spec as config.json: rlimits are uint64, past what a JSON number from JavaScript can carry. */
export function specJson(spec: OciSpec): string {
  return JSON.stringify(spec, (_k, v: unknown) => (typeof v === 'bigint' ? `${U64}${v}` : v)).replace(/"\\u0000u64:(\d+)"/g, '$1');
}

/** BuildKit's `dedupMounts`: the last mount at a destination wins, at the first one's position. */
function dedupMounts(mounts: readonly OciMount[]): OciMount[] {
  const out: OciMount[] = [];
  const at = new Map<string, number>();
  for (const m of mounts) {
    const i = at.get(m.destination);
    if (i === undefined) {
      at.set(m.destination, out.length);
      out.push(m);
    } else {
      out[i] = m;
    }
  }
  return out;
}

/** The devices `security.WithInsecureSpec` adds (dmesg, fuse, kvm, tun, loop control and eight loops). */
function insecureDevices(): NonNullable<OciSpec['linux']['devices']> {
  const dev = (path: string, type: string, major: number, minor: number) => ({ path, type, major, minor });
  return [
    dev('/dev/kmsg', 'c', 1, 11), dev('/dev/cuse', 'c', 10, 203), dev('/dev/fuse', 'c', 10, 229),
    dev('/dev/kvm', 'c', 10, 232), dev('/dev/net/tun', 'c', 10, 200), dev('/dev/loop-control', 'c', 10, 237),
    ...Array.from({ length: 8 }, (_, i) => dev(`/dev/loop${i}`, 'b', 7, i)),
  ];
}
