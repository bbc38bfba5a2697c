import { formatImageRef, KilnError, llb, parseImageRef } from '../../../compiler/index.js';
import type { Vertex } from '../../../compiler/llb/index.js';
import type { ParsedDockerfile, Stage } from '../instructions/commands.js';
import type { ConvertOptions } from './convert-options.js';
import {
  dispatchArg, dispatchCmd, dispatchEntrypoint, dispatchEnv, dispatchExpose, dispatchHealthcheck, dispatchLabel,
  dispatchMaintainer, dispatchOnbuild, dispatchShell, dispatchStopSignal, dispatchUser, dispatchVolume,
} from './dispatch-config.js';
import { dispatchCopy } from './dispatch-copy.js';
import { dispatchRun } from './dispatch-run.js';
import { DispatchState, DispatchStates } from './dispatch-state.js';
import type { StageCommand } from './dispatch-state.js';
import { dispatchWorkdir } from './dispatch-workdir.js';
import { envOfList, expandWith, ShellLex } from './expand.js';
import { suggest } from './suggest.js';
import type { DockerImage } from './image.js';
import { cloneImage, DEFAULT_PATH, emptyImage, imageFromConfig, omitEmptyConfig } from './image.js';
import { resolveStages } from './resolve-stages.js';
import { reachableFrom, toStageCommand, validateNoCycles } from './stage-graph.js';

/** The result of converting a Dockerfile: the target stage's state and image config. */
export interface ConvertResult {
  readonly state: llb.State;
  readonly image: DockerImage;
  /** The platform the target was built for (marshal the state with it). */
  readonly platform: llb.Platform;
}

/**
 * A vertex whose real op is decided later: the build context, whose
 * `followpaths` are only known once every stage has been dispatched.
 */
class DeferredVertex implements Vertex {
  target: Vertex | undefined;
  inputs() {
    return this.#get().inputs();
  }
  marshal(ctx: llb.MarshalContext) {
    return ctx.marshal(this.#get());
  }
  #get(): Vertex {
    if (!this.target) throw new KilnError('internal', 'build context used before it was defined');
    return this.target;
  }
}

/** Converts a parsed Dockerfile to LLB, as BuildKit's dockerfile2llb (`Dockerfile2LLB`). */
export async function dockerfileToLlb(df: ParsedDockerfile, escapeToken: string, opts: ConvertOptions = {}): Promise<ConvertResult> {
  if (df.stages.length === 0) throw new KilnError('dockerfile/no-stages', 'dockerfile contains no stages to build');
  const buildPlatform = opts.buildPlatform ?? llb.hostPlatform();
  const targetPlatform = opts.targetPlatform ?? buildPlatform;
  const buildArgs = opts.buildArgs ?? {};
  const lex = new ShellLex(escapeToken);
  const displayLex = new ShellLex(escapeToken, { rawQuotes: true, skipUnsetEnv: true });

  const targetName = opts.target ?? df.stages[df.stages.length - 1]!.name ?? '';
  let globalArgs = defaultArgs(buildPlatform, targetPlatform, buildArgs, targetName);
  for (const cmd of df.metaArgs) {
    for (const kv of cmd.args) {
      const value = Object.hasOwn(buildArgs, kv.key) ? buildArgs[kv.key] : kv.value !== undefined ? lex.processWord(kv.value, envOfList(globalArgs)) : undefined;
      if (value !== undefined) globalArgs = globalArgs.set(kv.key, value);
    }
  }

  const all = new DispatchStates();
  for (const st of df.stages) {
    const match = lex.processWordWithMatches(st.baseName, envOfList(globalArgs));
    const baseName = match.result;
    if (baseName === '') {
      const unset = [...match.unmatched];
      const hint = unset.length ? `${unset.join(', ')} ${unset.length > 1 ? 'are' : 'is'} not set: declare it with ARG before the first FROM, or pass --build-arg ${unset[0]}=…` : undefined;
      throw Object.assign(located(`base name (${st.baseName}) should not be blank`, st, 'dockerfile/blank-base') as object, hint ? { hint } : {});
    }
    let platform: llb.Platform | undefined;
    if (st.platform) {
      const p = lex.processWord(st.platform, envOfList(globalArgs));
      platform = llb.parsePlatform(p);
      if (!platform) throw located(`failed to parse platform ${st.platform}`, st, 'dockerfile/bad-platform');
    }
    const ds = new DispatchState({ ...st, baseName }, st.name ?? `stage-${st.index}`);
    ds.platform = platform;
    all.add(ds);
    ds.cmdTotal = (baseName !== 'scratch' && !ds.base ? 1 : 0) + st.commands.filter((c) => ['add', 'copy', 'run', 'workdir'].includes(c.kind)).length;
    ds.ignoreCache = !!opts.noCache?.some((n) => n === '*' || n === st.name);
  }
  const target = opts.target ? all.byName(opts.target) : all.states[all.states.length - 1];
  if (!target) throw new KilnError('dockerfile/unknown-target', `target stage "${opts.target}" could not be found${suggest(opts.target ?? '', all.names())}`);

  for (const d of [...all.states]) d.commands = d.stage.commands.map((c) => toStageCommand(c, all, false));
  validateNoCycles(all.states);
  if (all.states.length === 1) all.states[0]!.stageName = '';

  await resolveStages(all, target, { lex, targetPlatform, opts, toStageCommand: (c, onbuild) => toStageCommand(c, all, onbuild) });

  const context = new DeferredVertex();
  const buildContext = new llb.State().withOutput({ vertex: context, index: 0 });
  const ctxPaths = new Set<string>();
  const location = (c: { range: Stage['range'] }): llb.ConstraintsOptions =>
    opts.sourceMap ? { sourceLocations: [{ sourceMap: opts.sourceMap, ranges: [c.range] }] } : {};
  const reachable = reachableFrom(target);
  for (const d of all.states) {
    if (!reachable.has(d) || d.dispatched) continue;
    initFromBase(d);
    d.dispatched = true;
    d.platform ??= targetPlatform;
    if (!(d.image.config.Env ?? []).some((e) => e.startsWith('PATH=')) && d.platform.os !== 'windows') {
      d.image.config.Env = [...(d.image.config.Env ?? []), `PATH=${DEFAULT_PATH}`];
    }
    for (const kv of d.image.config.Env ?? []) {
      const eq = kv.indexOf('=');
      d.state = d.state.env(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1));
    }
    if (d.image.config.WorkingDir) dispatchWorkdir(d, d.image.config.WorkingDir, false);
    if (d.image.config.User) dispatchUser(d, d.image.config.User, false);
    for (const sc of d.commands) {
      try {
        dispatch(d, sc, { lex, displayLex, buildContext, location, buildArgs, globalArgs, opts });
      } catch (err) {
        throw withRange(err, sc.command.range);
      }
    }
    for (const p of d.ctxPaths) ctxPaths.add(p);
  }

  context.target = llb.local(opts.contextName ?? 'context', {
    sharedKeyHint: opts.contextName ?? 'context',
    customName: '[internal] load build context',
    ...(followPaths(ctxPaths) ? { followPaths: followPaths(ctxPaths)! } : {}),
    ...(opts.excludePatterns?.length ? { exclude: [...opts.excludePatterns] } : {}),
    ...(opts.localUniqueId !== undefined ? { localUniqueId: opts.localUniqueId } : {}),
  }).output()!.vertex;

  const image = target.image;
  if (opts.labels) image.config.Labels = { ...image.config.Labels, ...opts.labels };
  image.os = targetPlatform.os;
  image.architecture = targetPlatform.architecture;
  if (targetPlatform.variant) image.variant = targetPlatform.variant;
  omitEmptyConfig(image);
  return { state: target.state, image, platform: targetPlatform };
}

function initFromBase(d: DispatchState): void {
  if (!d.base) return;
  d.state = d.base.state;
  d.platform = d.base.platform;
  d.image = cloneImage(d.base.image);
  d.image.config.OnBuild = null;
  // As BuildKit's dispatchState.init: the child shares its base's used-paths index, and
  // inherits its ARGs (a RUN's history line lists them) and whether WORKDIR was set.
  d.paths = d.base.paths;
  d.workdirSet = d.base.workdirSet;
  d.buildArgs = [...d.buildArgs, ...d.base.buildArgs];
}

function followPaths(paths: ReadonlySet<string>): string[] | undefined {
  if (paths.size === 0 || paths.has('/')) return undefined;
  return [...paths].map((p) => p.replace(/^\//, '')).sort();
}

/** BuildKit's predefined platform args and TARGETSTAGE, overridable by --build-arg. */
function defaultArgs(build: llb.Platform, target: llb.Platform, overrides: { readonly [k: string]: string }, targetName: string): llb.EnvList {
  const pairs: [string, string][] = [
    ['BUILDPLATFORM', llb.formatPlatform(build)], ['BUILDOS', build.os], ['BUILDOSVERSION', build.osVersion ?? ''],
    ['BUILDARCH', build.architecture], ['BUILDVARIANT', build.variant ?? ''],
    ['TARGETPLATFORM', llb.formatPlatform(target)], ['TARGETOS', target.os], ['TARGETOSVERSION', target.osVersion ?? ''],
    ['TARGETARCH', target.architecture], ['TARGETVARIANT', target.variant ?? ''], ['TARGETSTAGE', targetName || 'default'],
  ];
  return pairs.reduce((env, [k, v]) => env.set(k, Object.hasOwn(overrides, k) ? overrides[k]! : v), llb.EnvList.empty);
}

interface DispatchContext {
  readonly lex: ShellLex;
  readonly displayLex: ShellLex;
  readonly buildContext: llb.State;
  readonly location: (c: { range: Stage['range'] }) => llb.ConstraintsOptions;
  readonly buildArgs: { readonly [k: string]: string };
  readonly globalArgs: llb.EnvList;
  readonly opts: ConvertOptions;
}

function dispatch(d: DispatchState, sc: StageCommand, ctx: DispatchContext): void {
  d.cmdIsOnBuild = sc.isOnBuild;
  const c = sc.command;
  const expand = expandWith(ctx.lex, d.state);
  switch (c.kind) {
    case 'env': return dispatchEnv(d, c, expand);
    case 'label': return dispatchLabel(d, c, expand);
    case 'maintainer': return dispatchMaintainer(d, c);
    case 'onbuild': return dispatchOnbuild(d, c);
    case 'cmd': return dispatchCmd(d, c);
    case 'entrypoint': return dispatchEntrypoint(d, c);
    case 'healthcheck': return dispatchHealthcheck(d, c);
    case 'user': return dispatchUser(d, expand(c.user), true);
    case 'volume': return dispatchVolume(d, c, expand);
    case 'stopsignal': return dispatchStopSignal(d, c, expand);
    case 'shell': return dispatchShell(d, c);
    case 'expose': return dispatchExpose(d, c, ctx.lex);
    case 'arg': return dispatchArg(d, c, ctx.buildArgs, ctx.globalArgs, ctx.lex);
    case 'workdir':
      return dispatchWorkdir(d, expand(c.path), true, { lex: ctx.lex, original: c.node.original.trim(), location: ctx.location(c) });
    case 'run':
      return dispatchRun(d, c, sc.sources, { lex: ctx.lex, displayLex: ctx.displayLex, buildContext: ctx.buildContext, cacheIdNamespace: ctx.opts.cacheIdNamespace ?? '', location: ctx.location, ...(ctx.opts.networkMode ? { networkMode: ctx.opts.networkMode } : {}) });
    case 'add':
    case 'copy': {
      let source = ctx.buildContext;
      const from = sc.sources[0];
      if (c.kind === 'copy' && from) {
        if (!from.dispatched) throw new KilnError('dockerfile/copy-order', `cannot copy from stage "${c.from ?? ''}", it needs to be defined before current stage "${d.stageName}"`);
        source = from.state;
      }
      const sourcePaths = dispatchCopy(d, c, source, { lex: ctx.lex, location: ctx.location, mergeOp: true });
      const paths = c.kind === 'copy' && from ? from.paths : d.ctxPaths;
      for (const src of sourcePaths) if (!/^https?:\/\//.test(src)) paths.add(llb.cleanPath(`/${src}`));
      return;
    }
  }
}

function located(message: string, st: Stage, code: string): unknown {
  return withRange(new KilnError(code, message), st.range);
}

/** Attaches a Dockerfile range to an error, so the CLI can show the line with a caret. */
function withRange(err: unknown, range: Stage['range']): unknown {
  if (err instanceof KilnError && !(err as { range?: unknown }).range) Object.assign(err, { range });
  return err;
}


export { emptyImage, formatImageRef, imageFromConfig, parseImageRef };
