import type { Diagnostic, SourcePosition, SourceRange } from '../diagnostic.js';
import type { Heredoc, InstructionNode } from './ast.js';
import type { ParsedLine } from './instruction-line.js';
import type { LogicalLine } from './logical-line.js';
import type { PhysicalLine } from './physical-lines.js';

/**
 * Turning parsed instruction lines into AST nodes and diagnostics: the
 * offset-to-position bookkeeping the parser loop should not have to read.
 */

/** BuildKit's heredoc-capable instructions (`heredocDirectives`). */
const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);

/**
 * BuildKit's `canContainHeredoc`: RUN, COPY, ADD in shell form, also as
 * ONBUILD's instruction (whose heredocs then belong to the ONBUILD node).
 */
export function canContainHeredoc(line: ParsedLine): boolean {
  const node = line.keyword.text.toLowerCase() === 'onbuild' && line.nested ? line.nested : line;
  return HEREDOC_KEYWORDS.has(node.keyword.text.toLowerCase()) && !node.json;
}

/** What the parser loop knows about an instruction besides its parsed line. */
export interface NodeContext {
  readonly logical: LogicalLine;
  /** Where the instruction starts: its keyword, or a line before it holding only a continuation escape (BuildKit's StartLine). */
  readonly start: SourcePosition;
  /** End of the instruction's last line (heredoc terminators included). */
  readonly end: SourcePosition;
  readonly heredocs: readonly Heredoc[];
  readonly prevComment: readonly string[];
}

/** The AST node of a parsed line. */
export function buildNode(line: ParsedLine, ctx: NodeContext): InstructionNode {
  const { logical } = ctx;
  const nested = line.nested
    ? buildNode(line.nested, {
        logical,
        start: logical.position(line.nested.keyword.start),
        end: logical.endPosition(line.nested.original.end),
        heredocs: [],
        prevComment: [],
      })
    : undefined;
  return {
    keyword: line.keyword.text.toLowerCase(),
    keywordText: line.keyword.text,
    flags: line.flags.map((f) => f.text),
    flagRanges: line.flags.map((f) => logical.range(f.start, f.end)),
    args: line.args.map((a) => a.text),
    ...(nested ? { nested } : {}),
    json: line.json,
    heredocs: ctx.heredocs,
    original: line.original.text,
    range: { start: ctx.start, end: ctx.end },
    argRanges: line.args.map((a) => logical.range(a.start, a.end)),
    prevComment: ctx.prevComment,
  };
}

/** The line's text without the `\r`s BuildKit's `trimNewline` removes. */
export function stripCR(body: string): string {
  return body.endsWith('\r') ? body.replace(/\r+$/, '') : body;
}

/** The range of the whole of a physical line (its `\r` excluded). */
export function lineRange(line: PhysicalLine, from = 0): SourceRange {
  return { start: { line: line.line, character: from }, end: { line: line.line, character: stripCR(line.body).length } };
}

/** An error diagnostic. */
export function error(id: string, message: string, range: SourceRange): Diagnostic {
  return { id, severity: 'error', message, range };
}
