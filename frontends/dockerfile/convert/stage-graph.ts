import { KilnError } from '../../../compiler/index.js';
import { DispatchState } from './dispatch-state.js';
import type { DispatchStates, StageCommand } from './dispatch-state.js';

// The graph of stages: which stages a command reads from, cycle detection, and
// which stages a target needs (only those are resolved and dispatched).

/** A command with the stages it reads (COPY --from, RUN --mount); names that are no stage become image stages. */
export function toStageCommand(command: StageCommand['command'], all: DispatchStates, isOnBuild: boolean): StageCommand {
  const sources: (DispatchState | undefined)[] = [];
  // A name that is no stage becomes an implicit image stage, one per reference as in
  // BuildKit; one made for COPY --from points at the COPY line, one for a mount at nothing.
  // Only COPY --from takes a stage index.
  const stageFor = (from: string, isCopy: boolean) => {
    if (isCopy && /^\d+$/.test(from)) {
      const s = all.byIndex(Number(from));
      if (!s) throw new KilnError('dockerfile/unknown-stage', `invalid stage index ${from}`);
      return s;
    }
    let s = all.byName(from);
    if (!s) {
      s = new DispatchState({ baseName: from, commands: [], node: command.node, range: command.range, index: -1 }, '', true);
      s.located = isCopy;
      all.add(s);
    }
    return s;
  };
  if (command.kind === 'copy' && command.from !== undefined) {
    if (/\$/.test(command.from)) {
      throw new KilnError('dockerfile/from-expansion', 'variable expansion is not supported for --from, define a new stage with FROM using ARG from global scope as a workaround');
    }
    sources.push(stageFor(command.from, true));
  }
  // Every mount gets a source stage, `scratch` when it names none (even a context bind
  // or a secret): BuildKit's detectRunMount does so before knowing the type, and the
  // extra stages keep the `stage-0` progress prefix of a one-stage Dockerfile.
  if (command.kind === 'run') for (const m of command.mounts) sources.push(stageFor(m.from ?? 'scratch', false));
  return { command, sources, isOnBuild };
}

/** Records each stage's dependencies and fails on a cycle, naming a stage in it. */
export function validateNoCycles(states: readonly DispatchState[]): void {
  for (const d of states) for (const sc of d.commands) for (const s of sc.sources) if (s) d.deps.add(s);
  const visiting = new Set<DispatchState>();
  const done = new Set<DispatchState>();
  const visit = (d: DispatchState): void => {
    if (done.has(d)) return;
    if (visiting.has(d)) throw new KilnError('dockerfile/circular', `circular dependency detected on stage: ${d.stage.name ?? d.stageName}`);
    visiting.add(d);
    for (const dep of [...d.deps, ...(d.base ? [d.base] : [])]) visit(dep);
    visiting.delete(d);
    done.add(d);
  };
  states.forEach(visit);
}

/** The stages a target needs: its base chain and everything copied or mounted from. */
export function reachableFrom(target: DispatchState): Set<DispatchState> {
  const out = new Set<DispatchState>();
  const add = (d: DispatchState): void => {
    if (out.has(d)) return;
    out.add(d);
    if (d.base) add(d.base);
    for (const dep of d.deps) add(dep);
  };
  add(target);
  return out;
}
