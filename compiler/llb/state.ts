import type { Definition } from '../definition.js';
import { cleanPath } from '../patterns/go-path.js';
import type { NetMode, SecurityMode } from '../generated/ops.js';
import type { ConstraintsOptions } from './constraints.js';
import { EnvList } from './env-list.js';
import type { ExecState, RunOptions } from './exec.js';
import { runOn } from './exec.js';
import type { FileAction } from './file.js';
import { fileOn } from './file.js';
import { marshalState } from './marshal.js';
import type { Platform } from './platform.js';
import type { Output } from './vertex.js';

/** An extra `/etc/hosts` line for RUN. */
export interface HostIp {
  readonly host: string;
  readonly ip: string;
}

/** A resource limit for RUN (`nofile`, `nproc`…). */
export interface Ulimit {
  readonly name: string;
  readonly soft: number;
  readonly hard: number;
}

/** The values a State carries for the ops made from it. */
export interface StateMeta {
  readonly env: EnvList;
  readonly dir?: string;
  readonly user?: string;
  readonly platform?: Platform;
  readonly hostname?: string;
  readonly network?: NetMode;
  readonly security?: SecurityMode;
  readonly extraHosts?: readonly HostIp[];
  readonly ulimits?: readonly Ulimit[];
  readonly cgroupParent?: string;
  readonly validExitCodes?: readonly number[];
}

/** A function that derives a new State, for `state.with(...)`. */
export type StateOption = (s: State) => State;

/**
 * A point in a build graph: an output (or scratch) plus the environment,
 * working directory, user and platform that later ops made from it use.
 *
 * Immutable, like BuildKit's `llb.State`: every call returns a new State and
 * never throws; mistakes surface from `marshal()`.
 *
 * @example
 * const out = image('docker.io/library/busybox:latest')
 *   .dir('/src')
 *   .run({ shell: 'make', mounts: [{ dest: '/src', source: local('context') }] })
 *   .root();
 * const def = await out.marshal();
 */
export class State {
  readonly #output: Output | undefined;
  readonly #meta: StateMeta;

  constructor(output?: Output, meta: StateMeta = { env: EnvList.empty }) {
    this.#output = output;
    this.#meta = meta;
  }

  /** The output this state stands for; undefined for scratch. */
  output(): Output | undefined {
    return this.#output;
  }

  /** The carried values. */
  meta(): StateMeta {
    return this.#meta;
  }

  /** The same values on another output. */
  withOutput(output: Output | undefined): State {
    return new State(output, this.#meta);
  }

  #set(patch: Partial<StateMeta>): State {
    return new State(this.#output, { ...this.#meta, ...patch });
  }

  /** Sets an environment variable for later RUNs. */
  env(key: string, value: string): State {
    return this.#set({ env: this.#meta.env.set(key, value) });
  }

  delEnv(key: string): State {
    return this.#set({ env: this.#meta.env.delete(key) });
  }

  getEnv(key: string): string | undefined {
    return this.#meta.env.get(key);
  }

  /** Sets the working directory; a relative path is joined to the current one. */
  dir(dir: string): State {
    return this.#set({ dir: joinDir(this.#meta.dir, dir) });
  }

  /** The working directory; `/` when none was set. */
  getDir(): string {
    return this.#meta.dir ?? '/';
  }

  user(user: string): State {
    return this.#set({ user });
  }

  getUser(): string | undefined {
    return this.#meta.user;
  }

  platform(platform: Platform): State {
    return this.#set({ platform });
  }

  getPlatform(): Platform | undefined {
    return this.#meta.platform;
  }

  hostname(hostname: string): State {
    return this.#set({ hostname });
  }

  network(network: NetMode): State {
    return this.#set({ network });
  }

  security(security: SecurityMode): State {
    return this.#set({ security });
  }

  addExtraHost(host: string, ip: string): State {
    return this.#set({ extraHosts: [...(this.#meta.extraHosts ?? []), { host, ip }] });
  }

  ulimit(name: string, soft: number, hard: number): State {
    return this.#set({ ulimits: [...(this.#meta.ulimits ?? []), { name, soft, hard }] });
  }

  cgroupParent(cgroupParent: string): State {
    return this.#set({ cgroupParent });
  }

  validExitCodes(...codes: number[]): State {
    return this.#set({ validExitCodes: codes });
  }

  /** Applies state options in order. */
  with(...options: StateOption[]): State {
    return options.reduce<State>((s, o) => o(s), this);
  }

  /** Runs a process on this state (an ExecOp); see `RunOptions`. */
  run(options: RunOptions): ExecState {
    return runOn(this, options);
  }

  /** Applies a chain of file actions (a FileOp) to this state. */
  file(action: FileAction, constraints?: ConstraintsOptions): State {
    return fileOn(this, action, constraints);
  }

  /**
   * Serializes the graph that ends in this state into a Definition:
   * deterministic bytes, each op once, inputs before users, terminal op last.
   *
   * @throws LlbBuildError for a mistake recorded while building.
   */
  async marshal(constraints: ConstraintsOptions = {}): Promise<Definition> {
    return marshalState(this, constraints);
  }
}

/** Joins a working directory onto the previous one, as BuildKit's `llb.Dir`. */
export function joinDir(prev: string | undefined, dir: string): string {
  // An absolute directory is kept as written (BuildKit's llb.Dir does not clean it).
  if (dir.startsWith('/')) return dir;
  return cleanPath(`${prev || '/'}/${dir}`);
}

/** Cleans a slash-separated path like Go's `path.Clean` (one implementation, shared with the pattern matcher). */
export { cleanPath };

/** The empty filesystem. */
export function scratch(): State {
  return new State();
}
