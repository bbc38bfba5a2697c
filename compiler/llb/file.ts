import type { ChownOpt, FileAction as PbFileAction, FileActionCopy, Input, Op, UserOpt } from '../generated/ops.js';
import type { Int64 } from '../wire/proto-schema.js';
import { Cap } from './caps.js';
import type { ConstraintsOptions } from './constraints.js';
import { marshalConstraints, withCaps } from './constraints.js';
import type { State } from './state.js';
import { cleanPath } from './state.js';
import type { MarshalContext, MarshaledOp, Output, Vertex } from './vertex.js';
import { addInput, finishOp, LlbBuildError } from './vertex.js';

/** An owner by numeric id or by name (resolved in the target's /etc/passwd and /etc/group). */
export type Owner = number | string;

/** Ownership for created files: `{ user, group }`, or one value for both. */
export interface ChownOptions {
  readonly user?: Owner;
  readonly group?: Owner;
}

interface TimeOption {
  /** Modification time to set (a Date, or Unix nanoseconds as a bigint). */
  readonly createdTime?: Date | bigint;
}

export interface MkdirOptions extends TimeOption {
  readonly makeParents?: boolean;
  readonly owner?: ChownOptions;
}

export interface MkfileOptions extends TimeOption {
  readonly owner?: ChownOptions;
}

export interface RmOptions {
  readonly allowNotFound?: boolean;
  readonly allowWildcard?: boolean;
}

export interface SymlinkOptions extends TimeOption {
  readonly owner?: ChownOptions;
}

export interface CopyOptions extends TimeOption {
  readonly owner?: ChownOptions;
  /** Permission bits (a number), or a symbolic mode such as `u+x` (`modeStr`). */
  readonly mode?: number | string;
  readonly followSymlinks?: boolean;
  readonly copyDirContentsOnly?: boolean;
  readonly attemptUnpack?: boolean;
  readonly createDestPath?: boolean;
  readonly allowWildcard?: boolean;
  readonly allowEmptyWildcard?: boolean;
  readonly includePatterns?: readonly string[];
  readonly excludePatterns?: readonly string[];
  readonly alwaysReplaceExistingDestPaths?: boolean;
}

type ActionSpec =
  | { readonly kind: 'mkdir'; readonly path: string; readonly mode: number; readonly opts: MkdirOptions }
  | { readonly kind: 'mkfile'; readonly path: string; readonly mode: number; readonly data: Uint8Array; readonly opts: MkfileOptions }
  | { readonly kind: 'rm'; readonly path: string; readonly opts: RmOptions }
  | { readonly kind: 'symlink'; readonly oldpath: string; readonly newpath: string; readonly opts: SymlinkOptions }
  | { readonly kind: 'copy'; readonly from: CopySource; readonly src: string; readonly dest: string; readonly opts: CopyOptions };

/** What a copy reads from: a state, or the result of a file action chain bound to a state. */
export type CopySource = State | BoundFileAction;

/**
 * A chain of file-system actions, applied in order by `state.file(...)`.
 * Immutable: each call returns a longer chain.
 *
 * @example
 * scratch().file(mkdir('/app', 0o755, { makeParents: true }).mkfile('/app/hello', 0o644, 'hi\n'));
 */
export class FileAction {
  readonly prev: FileAction | undefined;
  readonly spec: ActionSpec;
  /** The state the chain is bound to (set by `state.file()` or `withState()`). */
  readonly state: State | undefined;

  constructor(spec: ActionSpec, prev?: FileAction, state?: State) {
    this.spec = spec;
    this.prev = prev;
    this.state = state;
  }

  mkdir(path: string, mode: number, opts: MkdirOptions = {}): FileAction {
    return new FileAction({ kind: 'mkdir', path, mode, opts }, this);
  }

  mkfile(path: string, mode: number, data: Uint8Array | string, opts: MkfileOptions = {}): FileAction {
    return new FileAction({ kind: 'mkfile', path, mode, data: toBytes(data), opts }, this);
  }

  rm(path: string, opts: RmOptions = {}): FileAction {
    return new FileAction({ kind: 'rm', path, opts }, this);
  }

  symlink(oldpath: string, newpath: string, opts: SymlinkOptions = {}): FileAction {
    return new FileAction({ kind: 'symlink', oldpath, newpath, opts }, this);
  }

  copy(from: CopySource, src: string, dest: string, opts: CopyOptions = {}): FileAction {
    return new FileAction({ kind: 'copy', from, src, dest, opts }, this);
  }

  /** Binds every action of the chain to a state (the one whose files they change). */
  bind(state: State): FileAction {
    return new FileAction(this.spec, this.prev?.bind(state), state);
  }

  /** Uses the result of this chain, applied to `state`, as a copy source. */
  withState(state: State): BoundFileAction {
    return new BoundFileAction(this.bind(state));
  }
}

/** A file action chain bound to a state, usable as a copy source. */
export class BoundFileAction {
  readonly action: FileAction;
  constructor(action: FileAction) {
    this.action = action;
  }
}

function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? new TextEncoder().encode(data) : data;
}

/** Creates a directory. @example scratch().file(mkdir('/out', 0o755)) */
export function mkdir(path: string, mode: number, opts: MkdirOptions = {}): FileAction {
  return new FileAction({ kind: 'mkdir', path, mode, opts });
}

/** Creates a file with the given contents. @example scratch().file(mkfile('/a', 0o644, 'x')) */
export function mkfile(path: string, mode: number, data: Uint8Array | string, opts: MkfileOptions = {}): FileAction {
  return new FileAction({ kind: 'mkfile', path, mode, data: toBytes(data), opts });
}

/** Removes a path. @example base.file(rm('/tmp/cache', { allowNotFound: true })) */
export function rm(path: string, opts: RmOptions = {}): FileAction {
  return new FileAction({ kind: 'rm', path, opts });
}

/** Creates a symlink `newpath` pointing at `oldpath`. @example base.file(symlink('/bin/busybox', '/bin/sh')) */
export function symlink(oldpath: string, newpath: string, opts: SymlinkOptions = {}): FileAction {
  return new FileAction({ kind: 'symlink', oldpath, newpath, opts });
}

/** Copies `src` from another state to `dest`. @example base.file(copy(local('context'), '/app', '/app')) */
export function copy(from: CopySource, src: string, dest: string, opts: CopyOptions = {}): FileAction {
  return new FileAction({ kind: 'copy', from, src, dest, opts });
}

/** Applies a file action chain to a state: BuildKit's `State.File`. */
export function fileOn(state: State, action: FileAction, constraints: ConstraintsOptions = {}): State {
  return state.withOutput({ vertex: new FileOp(action.bind(state), constraints), index: 0 });
}

/** Normalizes a path against the state's working directory, as BuildKit's `normalizePath`. */
function normalizePath(parent: string, p: string, keepSlash: boolean): string {
  let out = cleanPath(p);
  if (!out.startsWith('/')) out = cleanPath(`/${parent}/${out}`);
  if (keepSlash) {
    if (p.endsWith('/') && !out.endsWith('/')) out += '/';
    else if (p.endsWith('/.')) out = `${out === '/' ? '' : out}/.`;
  }
  return out;
}

function marshalTime(t: Date | bigint | undefined): Int64 {
  if (t === undefined) return -1;
  const ns = typeof t === 'bigint' ? t : BigInt(t.getTime()) * 1_000_000n;
  return Number.isSafeInteger(Number(ns)) ? Number(ns) : ns;
}

function userOpt(o: Owner | undefined, base: number): UserOpt | undefined {
  if (o === undefined) return undefined;
  // Digits that do not fit a uid are a name, as Go's strconv.ParseUint fallback makes them.
  if (typeof o === 'string' && (!/^\d+$/.test(o) || Number(o) > 0xffffffff)) return { byName: { name: o, input: base } };
  return { byID: Number(o) };
}

function chown(owner: ChownOptions | undefined, base: number): ChownOpt | undefined {
  if (!owner) return undefined;
  const user = userOpt(owner.user, base);
  const group = userOpt(owner.group, base);
  return { ...(user ? { user } : {}), ...(group ? { group } : {}) };
}

interface ActionState {
  readonly action: FileAction;
  base: number;
  input: number;
  inputRelative?: ActionState;
  input2: number;
  input2Relative?: ActionState;
  target: number;
}

/** The FileOp vertex: a chain of actions with one output, the last action's result. */
export class FileOp implements Vertex {
  readonly #action: FileAction;
  readonly #constraints: ConstraintsOptions;

  constructor(action: FileAction, constraints: ConstraintsOptions) {
    this.#action = action;
    this.#constraints = constraints;
  }

  inputs(): readonly Output[] {
    const outs: Output[] = [];
    const walk = (fa: FileAction | undefined): void => {
      for (let a = fa; a; a = a.prev) {
        const o = a.state?.output();
        if (o && !outs.includes(o)) outs.push(o);
        if (a.spec.kind === 'copy') {
          if (a.spec.from instanceof BoundFileAction) walk(a.spec.from.action);
          else {
            const so = a.spec.from.output();
            if (so && !outs.includes(so)) outs.push(so);
          }
        }
      }
    };
    walk(this.#action);
    return outs;
  }

  marshal(ctx: MarshalContext): MarshaledOp {
    const inputs: Input[] = [];
    const actions: ActionState[] = [];
    const visited = new Map<FileAction, ActionState>();
    const inputOf = (o: Output): number => {
      if (o.error) throw o.error;
      return addInput(inputs, ctx.input(o));
    };
    const add = (fa: FileAction): ActionState => {
      const hit = visited.get(fa);
      if (hit) return hit;
      const prev = fa.prev ? add(fa.prev) : undefined;
      const st: ActionState = { action: fa, base: -1, input: -1, input2: -1, target: 0 };
      const source = fa.state?.output();
      if (source) st.base = inputOf(source);
      if (!prev) st.input = st.base;
      else st.inputRelative = prev;
      if (fa.spec.kind === 'copy') {
        const from = fa.spec.from;
        if (from instanceof BoundFileAction) st.input2Relative = add(from.action);
        else {
          const out = from.output();
          if (out) st.input2 = inputOf(out);
        }
      }
      st.target = actions.length;
      visited.set(fa, st);
      actions.push(st);
      return st;
    };
    add(this.#action);
    const index = (direct: number, relative: ActionState | undefined) => (relative ? inputs.length + relative.target : direct);
    const pbActions: PbFileAction[] = actions.map((st, i) => ({
      input: index(st.input, st.inputRelative),
      secondaryInput: index(st.input2, st.input2Relative),
      output: i + 1 === actions.length ? 0 : -1,
      ...this.#protoAction(st),
    }));
    // BuildKit marks FileOps platform-independent: no platform on the op.
    const { op: base, metadata } = marshalConstraints(ctx.constraints, withCaps(this.#constraints, Cap.fileBase));
    const op: Op = { inputs, file: { actions: pbActions }, constraints: base.constraints };
    return finishOp(op, metadata, this.#constraints.sourceLocations);
  }

  #protoAction(st: ActionState): Partial<PbFileAction> {
    const spec = st.action.spec;
    const parent = st.action.state?.getDir() ?? '';
    switch (spec.kind) {
      case 'mkdir':
        return { mkdir: { path: normalizePath(parent, spec.path, false), mode: spec.mode & 0o777, makeParents: !!spec.opts.makeParents, owner: chown(spec.opts.owner, st.base), timestamp: marshalTime(spec.opts.createdTime) } };
      case 'mkfile':
        return { mkfile: { path: normalizePath(parent, spec.path, false), mode: spec.mode & 0o777, data: spec.data, owner: chown(spec.opts.owner, st.base), timestamp: marshalTime(spec.opts.createdTime) } };
      case 'rm':
        return { rm: { path: normalizePath(parent, spec.path, false), allowNotFound: !!spec.opts.allowNotFound, allowWildcard: !!spec.opts.allowWildcard } };
      case 'symlink':
        return { symlink: { oldpath: spec.oldpath, newpath: normalizePath(parent, spec.newpath, false), owner: chown(spec.opts.owner, st.base), timestamp: marshalTime(spec.opts.createdTime) } };
      case 'copy': {
        const o = spec.opts;
        const fromState = spec.from instanceof BoundFileAction ? spec.from.action.state : spec.from;
        const srcClean = cleanPath(spec.src);
        const src = srcClean.startsWith('/') ? srcClean : cleanPath(`${fromState?.getDir() ?? '/'}/${srcClean}`);
        if (!spec.src) throw new LlbBuildError('copy-src', 'copy needs a source path', this.#constraints.sourceLocations);
        const copy: FileActionCopy = {
          src,
          dest: normalizePath(parent, spec.dest, true),
          owner: chown(o.owner, st.base),
          ...(typeof o.mode === 'string' ? { modeStr: o.mode } : { mode: o.mode ?? -1 }),
          followSymlink: !!o.followSymlinks,
          dirCopyContents: !!o.copyDirContentsOnly,
          attemptUnpackDockerCompatibility: !!o.attemptUnpack,
          createDestPath: !!o.createDestPath,
          allowWildcard: !!o.allowWildcard,
          allowEmptyWildcard: !!o.allowEmptyWildcard,
          timestamp: marshalTime(o.createdTime),
          include_patterns: [...(o.includePatterns ?? [])],
          exclude_patterns: [...(o.excludePatterns ?? [])],
          alwaysReplaceExistingDestPaths: !!o.alwaysReplaceExistingDestPaths,
        };
        return { copy };
      }
    }
  }
}
