import type { Definition, DefinitionOp, Digest } from '../../compiler/index.js';
import { KilnError } from '../../compiler/index.js';
import type { Vertex } from './types.js';

/** A Definition loaded for solving: its vertices and which output is the result. */
export interface LoadedGraph {
  readonly result: { readonly vertex: Vertex; readonly index: number };
  readonly vertices: ReadonlyMap<Digest, Vertex>;
}

function nameOf(digest: string, d: DefinitionOp): string {
  const custom = d.metadata.description?.['llb.customname'];
  if (custom) return custom;
  const op = d.op;
  if (op.source) return op.source.identifier ?? digest;
  if (op.exec) return (op.exec.meta?.args ?? []).join(' ');
  if (op.file) return `file ${(op.file.actions ?? []).length} action(s)`;
  if (op.merge) return 'merge';
  if (op.diff) return 'diff';
  return digest;
}

/**
 * Validates a Definition and builds its vertex graph (inputs first; the
 * terminal op names the result), deduplicated by digest.
 */
export function loadDefinition(def: Definition): LoadedGraph {
  def.validate();
  const ops = def.ops();
  const byDigest = new Map(ops.map((o) => [o.digest, o]));
  const vertices = new Map<Digest, Vertex>();
  const build = (digest: Digest): Vertex => {
    const hit = vertices.get(digest);
    if (hit) return hit;
    const o = byDigest.get(digest);
    if (!o) throw new KilnError('solver/missing-op', `op ${digest} is not in the definition`);
    // validate() ruled out cycles, so this recursion ends; graphs are shallow enough in practice.
    const inputs = (o.op.inputs ?? []).map((i) => ({ vertex: build(i.digest as Digest), index: Number(i.index ?? 0) }));
    const v: Vertex = { digest, op: o.op, inputs, metadata: o.metadata, name: nameOf(digest, o) };
    vertices.set(digest, v);
    return v;
  };
  const head = def.head();
  return { result: { vertex: build(head.digest), index: head.index }, vertices };
}
