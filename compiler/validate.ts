import type { DefinitionOp } from './definition.js';
import { isDigest } from './digest.js';
import { LlbValidationError } from './errors.js';
import type { Mount, Op } from './generated/ops.js';
import { MountType } from './generated/ops.js';

const KINDS = ['exec', 'source', 'file', 'build', 'merge', 'diff'] as const;

/** The kind of an op (which oneof member is set), or undefined for none. */
export function opKind(op: Op): (typeof KINDS)[number] | undefined {
  return KINDS.find((k) => op[k] !== undefined);
}

/** How many outputs an op has: the valid range of `Input.index` pointing at it. */
export function outputCount(op: Op): number {
  if (op.exec) return execOutputs(op.exec.mounts ?? []).length;
  if (op.file) return (op.file.actions ?? []).filter((a) => Number(a.output ?? 0) >= 0).length;
  return opKind(op) ? 1 : 0;
}

/**
 * The output numbers of an exec's mounts. Only bind mounts produce outputs:
 * BuildKit's client leaves `output` at 0 on secret and ssh mounts, and its
 * solver ignores it there.
 */
function execOutputs(mounts: readonly Mount[]): number[] {
  return mounts.filter((m) => (m.mountType ?? MountType.BIND) === MountType.BIND && Number(m.output ?? 0) >= 0).map((m) => Number(m.output ?? 0));
}

/**
 * Checks a decoded graph the way BuildKit's loader would reject it, but with
 * a precise message: op kinds, input digests and indices, per-kind input
 * references, a terminal op, and no cycles.
 */
export function validateOps(ops: readonly DefinitionOp[]): void {
  if (ops.length === 0) throw new LlbValidationError('empty', 'definition has no ops');
  const byDigest = new Map<string, DefinitionOp>();
  for (const o of ops) byDigest.set(o.digest, o);
  const last = ops[ops.length - 1]!;
  const where = (o: DefinitionOp) => ({ opIndex: o.index, digest: o.digest });
  if (opKind(last.op) !== undefined || (last.op.inputs ?? []).length === 0) {
    throw new LlbValidationError('no-terminal', 'the last op must be the terminal op: no kind and one input naming the result', where(last));
  }
  for (const o of ops) {
    const inputs = o.op.inputs ?? [];
    inputs.forEach((input, i) => {
      const d = input.digest ?? '';
      if (!isDigest(d)) throw new LlbValidationError('bad-digest', `input ${i} has a malformed digest ${JSON.stringify(d)}`, where(o));
      const producer = byDigest.get(d);
      if (!producer) throw new LlbValidationError('dangling-input', `input ${i} refers to ${d}, which is not in the definition`, where(o));
      const index = Number(input.index ?? 0);
      const count = outputCount(producer.op);
      if (!Number.isInteger(index) || index < 0 || index >= count) {
        throw new LlbValidationError('bad-output-index', `input ${i} asks for output ${String(input.index)} of op ${producer.index}, which has ${count} output(s)`, where(o));
      }
    });
    if (o === last) continue;
    const kind = opKind(o.op);
    if (!kind) {
      const unknown = o.op.$unknown?.length ? ` (unknown field${o.op.$unknown.length > 1 ? 's' : ''} present: a newer LLB op kind?)` : '';
      throw new LlbValidationError('unknown-op-kind', `op has no known kind${unknown}`, where(o));
    }
    const problem = checkKind(o.op, inputs.length);
    if (problem) throw new LlbValidationError(problem[0], problem[1], where(o));
  }
  const cycle = findCycle(ops.map((o) => ({ id: o.digest, deps: (o.op.inputs ?? []).map((i) => i.digest ?? '') })));
  if (cycle) throw new LlbValidationError('cycle', `the graph has a cycle: ${cycle.join(' -> ')}`);
}

function inRange(v: unknown, n: number, allowScratch = true): boolean {
  const x = Number(v ?? 0);
  return Number.isInteger(x) && x < n && (x >= 0 || (allowScratch && x === -1));
}

function checkKind(op: Op, nInputs: number): [string, string] | undefined {
  if (op.exec) {
    const e = op.exec;
    if ((e.meta?.args ?? []).length === 0) return ['bad-exec', 'exec has no arguments'];
    const mounts = e.mounts ?? [];
    if (!mounts.some((m) => m.dest === '/')) return ['bad-exec', 'exec has no root mount "/"'];
    for (const [i, m] of mounts.entries()) {
      if (!inRange(m.input, nInputs)) return ['bad-mount-input', `mount ${i} (${m.dest ?? ''}) uses input ${String(m.input)} of ${nInputs}`];
      if (!m.dest) return ['bad-mount', `mount ${i} has no destination`];
    }
    const outs = execOutputs(mounts).sort((a, b) => a - b);
    if (outs.some((x, i) => x !== i)) return ['bad-mount-output', `mount outputs must be numbered 0..${outs.length - 1}, got ${outs.join(',')}`];
  } else if (op.file) {
    const actions = op.file.actions ?? [];
    if (actions.length === 0) return ['bad-file', 'file op has no actions'];
    for (const [i, a] of actions.entries()) {
      if (!inRange(a.input, nInputs + i)) return ['bad-action-input', `action ${i} works on ${String(a.input)}, but only inputs 0..${nInputs - 1} and earlier actions are available`];
      if (a.copy && !inRange(a.secondaryInput, nInputs + i)) return ['bad-action-input', `copy action ${i} reads from ${String(a.secondaryInput)}, which is not an input or earlier action`];
      if (!a.copy && !a.mkdir && !a.mkfile && !a.rm && !a.symlink) return ['unknown-action', `action ${i} has no known kind`];
    }
  } else if (op.merge) {
    const inputs = op.merge.inputs ?? [];
    if (inputs.length === 0) return ['bad-merge', 'merge has no inputs'];
    for (const [i, m] of inputs.entries()) if (!inRange(m.input, nInputs, false)) return ['bad-merge', `merge input ${i} uses input ${String(m.input)} of ${nInputs}`];
  } else if (op.diff) {
    for (const side of ['lower', 'upper'] as const) {
      const v = op.diff[side]?.input ?? -1;
      if (!inRange(v, nInputs)) return ['bad-diff', `diff ${side} uses input ${String(v)} of ${nInputs}`];
    }
  } else if (op.source) {
    if (!op.source.identifier) return ['bad-source', 'source has no identifier'];
  }
  return undefined;
}

/**
 * Finds a cycle in a graph given as nodes with dependencies; returns it as a
 * path of ids or undefined. Iterative, so deep graphs do not overflow the stack.
 */
export function findCycle(nodes: readonly { id: string; deps: readonly string[] }[]): string[] | undefined {
  const deps = new Map(nodes.map((n) => [n.id, n.deps]));
  const state = new Map<string, 1 | 2>();
  for (const start of deps.keys()) {
    if (state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      const d = deps.get(top.id) ?? [];
      if (top.next >= d.length) {
        state.set(top.id, 2);
        stack.pop();
        continue;
      }
      const dep = d[top.next++]!;
      if (!deps.has(dep)) continue;
      const s = state.get(dep);
      if (s === 1) {
        const from = stack.findIndex((f) => f.id === dep);
        return [...stack.slice(from).map((f) => f.id), dep];
      }
      if (s === undefined) {
        state.set(dep, 1);
        stack.push({ id: dep, next: 0 });
      }
    }
  }
  return undefined;
}
