import type { Definition, DefinitionOp } from '../definition.js';
import type { Op } from '../generated/ops.js';
import { llbSchema } from '../generated/ops.js';
import { goJson, goString } from './go-json.js';
import { goQuote } from './go-quote.js';

/**
 * One JSON line per op, in `Definition.def` order, exactly as
 * `buildctl debug dump-llb` prints them: `{"Op":…,"Digest":…,"OpMetadata":…}`.
 */
export function dumpJsonLines(def: Definition): string[] {
  return def.ops().map(
    (o) => `{"Op":${goJson(llbSchema, 'Op', o.op)},"Digest":${goString(o.digest)},"OpMetadata":${goJson(llbSchema, 'OpMetadata', o.metadata)}}`,
  );
}

/** The graph in Graphviz DOT, with the node labels and shapes of `dump-llb --dot`. */
export function dumpDot(def: Definition): string {
  const ops = def.ops();
  const lines = ['digraph {'];
  for (const o of ops) {
    const [label, shape] = nodeStyle(o);
    lines.push(`  ${goQuote(o.digest)} [label=${goQuote(label)} shape=${goQuote(shape)}];`);
  }
  for (const o of ops) {
    (o.op.inputs ?? []).forEach((input, i) => {
      let label = '';
      for (const m of o.op.exec?.mounts ?? []) if (Number(m.input ?? 0) === i && m.dest !== '/') label = m.dest ?? '';
      lines.push(`  ${goQuote(input.digest ?? '')} -> ${goQuote(o.digest)} [label=${goQuote(label)}];`);
    });
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function nodeStyle(o: DefinitionOp): [string, string] {
  const op: Op = o.op;
  if (op.source) return [op.source.identifier ?? '', 'ellipse'];
  if (op.exec) return [(op.exec.meta?.args ?? []).join(' '), 'box'];
  if (op.build) return ['build', 'box3d'];
  if (op.merge) return ['merge', 'invtriangle'];
  if (op.diff) return ['diff', 'doublecircle'];
  if (op.file) {
    const names = (op.file.actions ?? []).map((a) => {
      if (a.copy) return `copy{src=${a.copy.src ?? ''}, dest=${a.copy.dest ?? ''}}`;
      if (a.mkfile) return `mkfile{path=${a.mkfile.path ?? ''}}`;
      if (a.mkdir) return `mkdir{path=${a.mkdir.path ?? ''}}`;
      if (a.rm) return `rm{path=${a.rm.path ?? ''}}`;
      if (a.symlink) return `symlink{oldpath=${a.symlink.oldpath ?? ''}, newpath=${a.symlink.newpath ?? ''}}`;
      return '';
    });
    return [names.join(','), 'note'];
  }
  return [o.digest, 'plaintext'];
}
