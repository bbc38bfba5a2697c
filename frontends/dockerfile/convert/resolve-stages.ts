import { formatImageRef, KilnError, llb, parseImageRef } from '../../../compiler/index.js';
import type { Command } from '../instructions/commands.js';
import type { ConvertOptions } from './convert-options.js';
import type { DispatchState, DispatchStates, StageCommand } from './dispatch-state.js';
import type { ShellLex } from './expand.js';
import { emptyImage, imageFromConfig } from './image.js';
import { reachableFrom } from './stage-graph.js';
import { suggest } from './suggest.js';

interface ResolveContext {
  readonly lex: ShellLex;
  readonly targetPlatform: llb.Platform;
  readonly opts: ConvertOptions;
  readonly toStageCommand: (c: Command, isOnBuild: boolean) => StageCommand;
}

/**
 * Gives every stage that starts from an image (or scratch) its base state and
 * image config, resolving the images the target needs (concurrently), then
 * expands ONBUILD triggers; repeats while triggers bring in new stages.
 */
export async function resolveStages(all: DispatchStates, target: DispatchState, ctx: ResolveContext): Promise<void> {
  for (;;) {
    const reachable = reachableFrom(target);
    await Promise.all(all.states.filter((d) => !d.base && !d.dispatched && !d.resolved).map((d) => resolveBase(d, reachable.has(d), ctx, all.names())));
    let newDeps = false;
    for (const d of reachableFrom(target)) if (expandOnBuild(d, all, ctx)) newDeps = true;
    if (!newDeps) return;
  }
}

async function resolveBase(d: DispatchState, reachable: boolean, ctx: ResolveContext, stageNames: readonly string[]): Promise<void> {
  d.resolved = reachable;
  const platform = d.platform ?? ctx.targetPlatform;
  if (d.stage.baseName.toLowerCase() === 'scratch') {
    d.state = llb.scratch();
    d.image = emptyImage(ctx.targetPlatform);
    d.platform = ctx.targetPlatform;
    if (d.unregistered) d.dispatched = true;
    return;
  }
  const parsed = parseImageRef(d.stage.baseName);
  if ('error' in parsed) throw Object.assign(new KilnError('dockerfile/bad-base-image', `failed to parse stage name "${d.stage.baseName}": ${parsed.error}`), { range: d.stage.range });
  let ref = formatImageRef(parsed);
  let isScratch = false;
  d.image = emptyImage(platform);
  if (reachable && ctx.opts.resolveImageConfig) {
    let resolved;
    try {
      resolved = await ctx.opts.resolveImageConfig(ref, platform);
    } catch (err) {
      // `COPY --from=biuld` names no stage, so it is read as an image; say which stage it may mean.
      const close = d.unregistered ? suggest(d.stage.baseName, stageNames) : '';
      throw Object.assign(new KilnError('dockerfile/resolve-image', `${d.stage.baseName}: ${err instanceof Error ? err.message : String(err)}`, { cause: err }), {
        range: d.stage.range,
        ...(close ? { hint: `no stage is named ${d.stage.baseName}${close.replace(/^ \(/, ': ').replace(/\)$/, '')}` } : {}),
      });
    }
    if (resolved.ref && resolved.ref !== ref) {
      const again = parseImageRef(resolved.ref);
      if (!('error' in again)) ref = formatImageRef(again);
    }
    if (resolved.digest && !ref.includes('@')) ref = `${ref}@${resolved.digest}`;
    d.image = imageFromConfig(resolved.config);
    const diffIds = d.image.rootfs?.diff_ids ?? [];
    isScratch = diffIds.length === 0 && (d.image.history ?? []).every((h) => h.empty_layer);
  }
  d.stage = { ...d.stage, baseName: ref };
  d.state = isScratch
    ? llb.scratch()
    : llb.image(ref, {
      platform,
      customName: d.prefix(`FROM ${ref}`),
      // An implicit stage (COPY --from=<image>) has no FROM line to describe.
      description: { 'com.docker.dockerfile.v1.command': d.unregistered ? '' : d.stage.node.original.trim() },
      ...(ctx.opts.sourceMap && d.located ? { sourceLocations: [{ sourceMap: ctx.opts.sourceMap, ranges: [d.stage.range] }] } : {}),
    });
  d.platform = platform;
  if (d.unregistered) d.dispatched = true;
}

/** Prepends a stage's ONBUILD triggers (from its base image or base stage); true when they add new stages. */
function expandOnBuild(d: DispatchState, all: DispatchStates, ctx: ResolveContext): boolean {
  const triggers: string[] = d.base ? [] : [...(d.image?.config.OnBuild ?? [])];
  if (d.base && !d.onBuildInit) {
    for (const sc of d.base.commands) if (sc.command.kind === 'onbuild') triggers.push(sc.command.expression);
    d.onBuildInit = true;
  }
  if (triggers.length === 0) return false;
  if (!ctx.opts.parseTrigger) throw new KilnError('dockerfile/onbuild', 'ONBUILD triggers need a parser');
  let newDeps = false;
  const cmds = triggers.map((t) => {
    const sc = ctx.toStageCommand(ctx.opts.parseTrigger!(t), true);
    for (const s of sc.sources) {
      if (!s) continue;
      d.deps.add(s);
      newDeps = true;
    }
    return sc;
  });
  d.commands = [...cmds, ...d.commands];
  d.cmdTotal += cmds.length;
  if (d.image) d.image.config.OnBuild = null;
  void all;
  return newDeps;
}
