import type { Diagnostic } from '../../../../grammars/diagnostic.js';
import type { Heredoc, InstructionNode } from '../../../../grammars/dockerfile/ast.js';
import type { Instruction } from '../../../../frontends/dockerfile/instructions/commands.js';
import { isDiagnostic } from '../../../../frontends/dockerfile/instructions/failure.js';

/** A hand-built AST node, shaped as grammars/dockerfile's parser builds it. */
export function node(keywordText: string, args: readonly string[], opts: Partial<Omit<InstructionNode, 'keyword' | 'keywordText' | 'args'>> & { line?: number } = {}): InstructionNode {
  const line = opts.line ?? 1;
  const original = opts.original ?? [keywordText, ...(opts.flags ?? []), ...args].join(' ');
  return {
    keyword: keywordText.toLowerCase(),
    keywordText,
    flags: opts.flags ?? [],
    args,
    json: opts.json ?? false,
    heredocs: opts.heredocs ?? [],
    original,
    range: opts.range ?? { start: { line, character: 0 }, end: { line, character: original.length } },
    argRanges: opts.argRanges ?? [],
    prevComment: opts.prevComment ?? [],
    ...(opts.nested ? { nested: opts.nested } : {}),
  };
}

/** A heredoc as the parser attaches it. */
export function heredoc(name: string, content: string, opts: Partial<Heredoc> = {}): Heredoc {
  return { name, content, fileDescriptor: 0, expand: true, chomp: false, ...opts };
}

/** The instruction, failing the test with the diagnostic when there is one. */
export function ok<T extends Instruction['kind']>(r: Instruction | Diagnostic, kind: T): Extract<Instruction, { kind: T }> {
  if (isDiagnostic(r)) throw new Error(`expected ${kind}, got ${r.id}: ${r.message}`);
  expect(r.kind).toBe(kind);
  return r as Extract<Instruction, { kind: T }>;
}

/** The diagnostic, failing the test when the instruction parsed. */
export function err(r: Instruction | Diagnostic): Diagnostic {
  if (!isDiagnostic(r)) throw new Error(`expected a diagnostic, got ${r.kind}`);
  return r;
}
