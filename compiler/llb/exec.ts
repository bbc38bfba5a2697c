import type { ExecOp as PbExecOp, Input, Mount as PbMount, Op } from '../generated/ops.js';
import { CacheSharingOpt, MountContentCache, MountType, NetMode, SecurityMode } from '../generated/ops.js';
import { Cap } from './caps.js';
import type { ConstraintsOptions } from './constraints.js';
import { marshalConstraints, withCaps } from './constraints.js';
import type { State } from './state.js';
import type { MarshalContext, MarshaledOp, Output, Vertex } from './vertex.js';
import { addInput, finishOp, LlbBuildError } from './vertex.js';

/** A bind mount of another state (read-write unless `readonly`). */
export interface BindMount {
  readonly type?: 'bind';
  readonly dest: string;
  readonly source: State;
  /** A sub-path of the source to mount instead of its root. */
  readonly selector?: string;
  readonly readonly?: boolean;
  /** Writable, but its changes are thrown away (no output). */
  readonly noOutput?: boolean;
  readonly contentCache?: 'default' | 'on' | 'off';
}

/** A persistent cache directory shared across builds by `id`. */
export interface CacheMount {
  readonly type: 'cache';
  readonly dest: string;
  readonly id: string;
  readonly sharing?: 'shared' | 'private' | 'locked';
  /** Initial contents for a new cache. */
  readonly source?: State;
  readonly selector?: string;
  readonly readonly?: boolean;
}

/** An empty in-memory file system. */
export interface TmpfsMount {
  readonly type: 'tmpfs';
  readonly dest: string;
  /** Size limit in bytes. */
  readonly size?: number;
  readonly readonly?: boolean;
  readonly selector?: string;
}

/** A secret as a file at `dest` and/or an environment variable `env`. */
export interface SecretMount {
  readonly type: 'secret';
  readonly id: string;
  readonly dest?: string;
  readonly env?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly optional?: boolean;
}

/** A forwarded ssh-agent socket. */
export interface SshMount {
  readonly type: 'ssh';
  readonly id?: string;
  /** Socket path; `/run/buildkit/ssh_agent.N` when omitted. */
  readonly dest?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly optional?: boolean;
}

/** Any mount of a RUN. */
export type MountSpec = BindMount | CacheMount | TmpfsMount | SecretMount | SshMount;

/** Proxy variables given to a RUN but kept out of its cache key. */
export interface ProxyEnv {
  readonly httpProxy?: string;
  readonly httpsProxy?: string;
  readonly ftpProxy?: string;
  readonly noProxy?: string;
  readonly allProxy?: string;
}

/** What `state.run()` takes. Exactly one of `args` and `shell`. */
export interface RunOptions extends ConstraintsOptions {
  readonly args?: readonly string[];
  /** A shell command: becomes `["/bin/sh", "-c", shell]`. */
  readonly shell?: string;
  readonly env?: { readonly [key: string]: string };
  readonly cwd?: string;
  readonly user?: string;
  readonly hostname?: string;
  readonly network?: 'sandbox' | 'host' | 'none';
  readonly security?: 'sandbox' | 'insecure';
  readonly extraHosts?: readonly { readonly host: string; readonly ip: string }[];
  readonly mounts?: readonly MountSpec[];
  readonly proxyEnv?: ProxyEnv;
  readonly readonlyRootfs?: boolean;
  readonly cdiDevices?: readonly { readonly name: string; readonly optional?: boolean }[];
}

/** The result of `state.run()`: the root file system and each mount's output. */
export class ExecState {
  readonly #base: State;
  readonly #op: ExecOp;

  constructor(base: State, op: ExecOp) {
    this.#base = base;
    this.#op = op;
  }

  /** The root file system after the process ran. */
  root(): State {
    return this.#base.withOutput(this.#op.rootOutput());
  }

  /** The state of the mount at `dest` after the process ran. */
  mount(dest: string): State {
    return this.#base.withOutput(this.#op.mountOutput(dest));
  }
}

const SHARING = { shared: CacheSharingOpt.SHARED, private: CacheSharingOpt.PRIVATE, locked: CacheSharingOpt.LOCKED } as const;
const CONTENT_CACHE = { default: MountContentCache.DEFAULT, on: MountContentCache.ON, off: MountContentCache.OFF } as const;

interface FsMount {
  readonly dest: string;
  readonly source: Output | undefined;
  readonly selector?: string | undefined;
  readonly readonly: boolean;
  readonly noOutput: boolean;
  readonly cache?: CacheMount | undefined;
  readonly tmpfs?: TmpfsMount | undefined;
  readonly contentCache?: BindMount['contentCache'];
}

/** Runs a process on a state: BuildKit's `State.Run`. */
export function runOn(state: State, options: RunOptions): ExecState {
  let base = state;
  for (const [k, v] of Object.entries(options.env ?? {})) base = base.env(k, v);
  if (options.cwd !== undefined) base = base.dir(options.cwd);
  if (options.user !== undefined) base = base.user(options.user);
  if (options.hostname !== undefined) base = base.hostname(options.hostname);
  if (options.network) base = base.network({ sandbox: NetMode.UNSET, host: NetMode.HOST, none: NetMode.NONE }[options.network]);
  if (options.security) base = base.security(options.security === 'insecure' ? SecurityMode.INSECURE : SecurityMode.SANDBOX);
  for (const h of options.extraHosts ?? []) base = base.addExtraHost(h.host, h.ip);
  // As BuildKit's State.Run: the op sees the run's options, later steps keep the state they had.
  return new ExecState(state, new ExecOp(base, options));
}

/** The ExecOp vertex. */
export class ExecOp implements Vertex {
  readonly #base: State;
  readonly #options: RunOptions;
  readonly #mounts: readonly FsMount[];
  readonly #error: LlbBuildError | undefined;

  constructor(base: State, options: RunOptions) {
    this.#base = base;
    this.#options = options;
    const root: FsMount = { dest: '/', source: base.output(), readonly: !!options.readonlyRootfs, noOutput: false };
    const mounts: FsMount[] = [root];
    let error: LlbBuildError | undefined;
    const fail = (code: string, msg: string) => (error ??= new LlbBuildError(code, msg, options.sourceLocations));
    if (options.args && options.shell !== undefined) fail('run-args', 'run takes args or shell, not both');
    for (const m of options.mounts ?? []) {
      if (m.type === 'secret' || m.type === 'ssh') continue;
      if (!m.dest) fail('mount-dest', 'a mount needs a destination');
      if (m.type === 'cache') mounts.push({ dest: m.dest, source: m.source?.output(), selector: m.selector, readonly: !!m.readonly, noOutput: false, cache: m });
      else if (m.type === 'tmpfs') mounts.push({ dest: m.dest, source: undefined, selector: m.selector, readonly: !!m.readonly, noOutput: false, tmpfs: m });
      else mounts.push({ dest: m.dest, source: m.source.output(), selector: m.selector, readonly: !!m.readonly, noOutput: !!m.noOutput, contentCache: m.contentCache });
    }
    const seen = new Set<string>();
    for (const m of mounts) {
      if (seen.has(m.dest)) fail('mount-dest', `two mounts at ${m.dest}`);
      seen.add(m.dest);
    }
    // BuildKit sorts mounts by target before numbering inputs and outputs.
    this.#mounts = mounts.sort((a, b) => (a.dest < b.dest ? -1 : a.dest > b.dest ? 1 : 0));
    this.#error = error;
  }

  inputs(): readonly Output[] {
    const outs: Output[] = [];
    for (const m of this.#mounts) if (m.source && !outs.includes(m.source)) outs.push(m.source);
    return outs;
  }

  /** Outputs are numbered over the writable, output-producing mounts in sorted order. */
  #outputIndex(dest: string): number {
    let n = 0;
    for (const m of this.#mounts) {
      if (m.readonly || m.noOutput || m.cache || m.tmpfs) {
        if (m.dest === dest) return -1;
        continue;
      }
      if (m.dest === dest) return n;
      n++;
    }
    return -1;
  }

  rootOutput(): Output | undefined {
    if (this.#options.readonlyRootfs) return this.#base.output();
    return { vertex: this, index: this.#outputIndex('/') };
  }

  mountOutput(dest: string): Output | undefined {
    const m = this.#mounts.find((x) => x.dest === dest);
    if (!m) return { vertex: this, index: 0, error: new LlbBuildError('no-mount', `no mount at ${dest}`, this.#options.sourceLocations) };
    if (m.readonly) return m.source;
    const index = this.#outputIndex(dest);
    if (index < 0) return { vertex: this, index: 0, error: new LlbBuildError('no-output', `the ${m.tmpfs ? 'tmpfs' : m.cache ? 'cache' : 'no-output'} mount at ${dest} can't be used as a parent`, this.#options.sourceLocations) };
    return { vertex: this, index };
  }

  marshal(ctx: MarshalContext): MarshaledOp {
    const o = this.#options;
    if (this.#error) throw this.#error;
    const meta = this.#base.meta();
    const args = o.shell !== undefined ? ['/bin/sh', '-c', o.shell] : [...(o.args ?? [])];
    if (args.length === 0) throw new LlbBuildError('run-args', 'run needs arguments (args or shell)', o.sourceLocations);
    const secrets = (o.mounts ?? []).filter((m): m is SecretMount => m.type === 'secret');
    const sshs = (o.mounts ?? []).filter((m): m is SshMount => m.type === 'ssh').map((s, i) => ({ ...s, dest: s.dest || `/run/buildkit/ssh_agent.${i}` }));
    let env = meta.env;
    if (sshs.length && env.get('SSH_AUTH_SOCK') === undefined) env = env.set('SSH_AUTH_SOCK', sshs[0]!.dest);

    const caps: string[] = [Cap.execMetaSetsDefaultPath];
    if (meta.validExitCodes) caps.push(Cap.execValidExitCode);
    if (meta.ulimits?.length) caps.push(Cap.execMetaUlimit);
    const network = meta.network ?? NetMode.UNSET;
    const security = meta.security ?? SecurityMode.SANDBOX;
    if (network !== NetMode.UNSET) caps.push(Cap.execMetaNetwork);
    if (security !== SecurityMode.SANDBOX) caps.push(Cap.execMetaSecurity);
    if (o.proxyEnv) caps.push(Cap.execMetaProxy);
    caps.push(Cap.execMetaBase);
    for (const m of this.#mounts) {
      if (m.selector) caps.push(Cap.execMountSelector);
      if (m.cache) caps.push(Cap.execMountCache, Cap.execMountCacheSharing);
      else if (m.tmpfs) {
        caps.push(Cap.execMountTmpfs);
        if ((m.tmpfs.size ?? 0) > 0) caps.push(Cap.execMountTmpfsSize);
      } else if (m.source) caps.push(Cap.execMountBind);
      if (m.contentCache && m.contentCache !== 'default') caps.push(Cap.execMountContentCache);
    }
    if (secrets.length) {
      caps.push(Cap.execMountSecret);
      if (secrets.some((s) => s.env !== undefined)) caps.push(Cap.execSecretEnv);
    }
    if (sshs.length) caps.push(Cap.execMountSsh);
    if (o.cdiDevices?.length) caps.push(Cap.execMetaCdi);

    const own = withCaps({ ...o, platform: o.platform ?? meta.platform }, ...caps);
    const { op: base, metadata } = marshalConstraints(ctx.constraints, own);
    const inputs: Input[] = [];
    const mounts: PbMount[] = [];
    for (const m of this.#mounts) {
      if (m.tmpfs && m.source) throw new LlbBuildError('tmpfs-source', 'tmpfs mounts must use scratch', o.sourceLocations);
      if (m.source?.error) throw m.source.error;
      const input = m.source ? addInput(inputs, ctx.input(m.source)) : -1;
      const pm: { -readonly [K in keyof PbMount]: PbMount[K] } = { input, dest: m.dest, output: this.#outputIndex(m.dest), readonly: m.readonly, selector: m.selector ?? '' };
      if (m.cache) {
        pm.mountType = MountType.CACHE;
        pm.cacheOpt = { ID: m.cache.id, sharing: SHARING[m.cache.sharing ?? 'shared'] };
      }
      if (m.contentCache) pm.contentCache = CONTENT_CACHE[m.contentCache];
      if (m.tmpfs) {
        pm.mountType = MountType.TMPFS;
        pm.TmpfsOpt = { size: m.tmpfs.size ?? 0 };
      }
      mounts.push(pm);
    }
    const exec: PbExecOp = {
      meta: {
        args,
        env: env.toArray(),
        cwd: meta.dir ?? '/',
        user: meta.user ?? '',
        ...(o.proxyEnv ? { proxy_env: { http_proxy: o.proxyEnv.httpProxy, https_proxy: o.proxyEnv.httpsProxy, ftp_proxy: o.proxyEnv.ftpProxy, no_proxy: o.proxyEnv.noProxy, all_proxy: o.proxyEnv.allProxy } } : {}),
        ...(meta.extraHosts?.length ? { extraHosts: meta.extraHosts.map((h) => ({ Host: h.host, IP: h.ip })) } : {}),
        hostname: meta.hostname ?? '',
        ...(meta.ulimits?.length ? { ulimit: meta.ulimits.map((u) => ({ Name: u.name, Soft: u.soft, Hard: u.hard })) } : {}),
        cgroupParent: meta.cgroupParent ?? '',
        removeMountStubsRecursive: true,
        ...(meta.validExitCodes ? { validExitCodes: [...meta.validExitCodes] } : {}),
      },
      mounts: [
        ...mounts,
        ...secrets.filter((s) => s.dest !== undefined).map((s): PbMount => ({
          input: -1, dest: s.dest!, mountType: MountType.SECRET,
          secretOpt: { ID: s.id, uid: s.uid ?? 0, gid: s.gid ?? 0, optional: !!s.optional, mode: s.mode ?? 0o400 },
        })),
        ...sshs.map((s): PbMount => ({
          input: -1, dest: s.dest, mountType: MountType.SSH,
          // BuildKit's client sends no id unless one is given; the solver reads that as "default".
          SSHOpt: { ID: s.id ?? '', uid: s.uid ?? 0, gid: s.gid ?? 0, mode: s.mode ?? 0o600, optional: !!s.optional },
        })),
      ],
      network,
      security,
      ...(secrets.some((s) => s.env !== undefined) ? { secretenv: secrets.filter((s) => s.env !== undefined).map((s) => ({ ID: s.id, name: s.env!, optional: !!s.optional })) } : {}),
      ...(o.cdiDevices?.length ? { cdiDevices: o.cdiDevices.map((d) => ({ name: d.name, optional: !!d.optional })) } : {}),
    };
    const op: Op = { inputs, exec, platform: base.platform, constraints: base.constraints };
    return finishOp(op, metadata, o.sourceLocations);
  }
}
