import { goQuote } from '../../compiler/index.js';
import type { DockerfileAst, InstructionNode } from '../../grammars/dockerfile/ast.js';

/**
 * Prints a Dockerfile AST in BuildKit's `Node.Dump()` format, one
 * `(keyword ["--flag" …] "arg" …)` line per instruction, each ending in `\n`:
 * byte for byte the `result` files of BuildKit's parser tests.
 *
 * @example
 * dumpAst(ast) // '(from "busybox")\n(run "echo hi")\n'
 */
export function dumpAst(ast: DockerfileAst): string {
  return ast.instructions.map((node) => `(${dumpNode(node)})\n`).join('');
}

/** One instruction without its parentheses (ONBUILD's instruction is nested in its own). */
function dumpNode(node: InstructionNode): string {
  let out = node.keyword.toLowerCase();
  // Go's `%q` of a []string: `["a" "b"]`.
  if (node.flags.length > 0) out += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.nested) out += ` (${dumpNode(node.nested)})`;
  for (const arg of node.args) out += ` ${goQuote(arg)}`;
  // BuildKit trims each dump: only visible for an empty keyword (a line that was a lone `\`).
  return out.trimStart();
}
