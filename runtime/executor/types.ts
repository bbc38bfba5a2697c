/**
 * What the runc executor runs: one process in a container whose root is a
 * directory the caller prepared (BuildKit's `executor.Meta` plus its mounts,
 * with every mount already resolved to something on the host).
 */

/** A host path bind-mounted into the container (a snapshot, a cache dir, a file). */
export interface BindMount {
  readonly kind: 'bind';
  readonly dest: string;
  readonly source: string;
  readonly readonly: boolean;
}

/** A fresh tmpfs; `size` in bytes, unlimited (the kernel's half of RAM) when absent. */
export interface TmpfsMount {
  readonly kind: 'tmpfs';
  readonly dest: string;
  readonly size?: number;
}

/** A secret: written to a host tmpfs (never the rootfs) and bind-mounted read-only at `dest`. */
export interface SecretMount {
  readonly kind: 'secret';
  readonly dest: string;
  readonly data: Uint8Array;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/**
 * An SSH agent socket bind-mounted at `dest`. The socket is the caller's and
 * dedicated to this exec (as BuildKit's sshforward makes one per mount): the
 * executor sets its owner and mode.
 */
export interface SshMount {
  readonly kind: 'ssh';
  readonly dest: string;
  readonly socket: string;
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
}

/** One mount of a container, besides its root. */
export type ContainerMount = BindMount | TmpfsMount | SecretMount | SshMount;

/** A host name and the address `/etc/hosts` gives it (`--add-host`). */
export interface ExtraHost {
  readonly host: string;
  readonly ip: string;
}

/** Network mode of an exec: the host's namespace, or a new one with only `lo`. */
export type NetworkMode = 'host' | 'none';

/** Everything needed to run one process in a container. */
export interface ContainerSpec {
  /** A writable directory used as the container's root (prepared by the caller). */
  readonly rootfs: string;
  readonly args: readonly string[];
  /** `KEY=value` entries; BuildKit's default PATH is added when none is set. */
  readonly env: readonly string[];
  /** Working directory; created (owned by the user) when missing. */
  readonly cwd: string;
  /** `name`, `uid`, `name:group` or `uid:gid`; names resolved from the rootfs's /etc/passwd and /etc/group. */
  readonly user: string;
  /** Defaults to BuildKit's `buildkitsandbox`. */
  readonly hostname?: string;
  readonly network: NetworkMode;
  readonly extraHosts: readonly ExtraHost[];
  readonly mounts: readonly ContainerMount[];
  readonly readonlyRootfs?: boolean;
  /** `--security=insecure`: every capability, all devices, no masked paths. */
  readonly securityInsecure?: boolean;
  /** Resource limits by name (`nofile`, `nproc`, …); none set means the runtime's defaults. */
  readonly ulimits?: readonly Ulimit[];
  /** A cgroup path the container's cgroup goes under (`<parent>/buildkit/<id>`). */
  readonly cgroupParent?: string;
  /** Exit codes that count as success; absent or empty means only 0. */
  readonly validExitCodes?: readonly number[];
}

/** One rlimit, as LLB's `pb.Ulimit` names it. */
export interface Ulimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

/** How to run a container and where its output goes. */
export interface RunContainerOptions {
  /** Aborting kills the container (`runc kill … KILL`) and rejects. */
  readonly signal?: AbortSignal;
  /** Called for every line the process writes, without the newline. */
  readonly onLog?: (stream: 'stdout' | 'stderr', line: string) => void;
  /** A directory for bundles and generated files; each run uses its own subdirectory. */
  readonly stateDir: string;
  /** The runc container id; a fresh one when absent. Must be unique among live containers. */
  readonly id?: string;
}
