import type { Diagnostic, SourceRange } from '../diagnostic.js';
import type { Directives, DockerfileAst, Heredoc, InstructionNode, ParseResult } from './ast.js';
import { buildNode, canContainHeredoc, error, lineRange, stripCR } from './build-node.js';
import { detectSyntax, DirectiveReader, parseDirective } from './directives.js';
import { ByteView, trimLeftSpace, trimSpaceAt } from './go-text.js';
import { heredocsFromLine, type HeredocMarker } from './heredoc.js';
import { parseInstructionLine } from './instruction-line.js';
import { LogicalLine, trimContinuation } from './logical-line.js';
import { MAX_LINE_BYTES, scanPhysicalLines, type PhysicalLine } from './physical-lines.js';

/**
 * Parses a Dockerfile as BuildKit v0.24's `parser.Parse` does: directives,
 * line continuations with the current escape character, comments, heredocs,
 * and each instruction's arguments shaped by its keyword. Unknown keywords are
 * accepted (the instructions layer rejects them). Positions are 1-based lines
 * and 0-based UTF-16 characters, a leading byte-order mark not counted.
 *
 * @example
 * const result = parseDockerfile('FROM busybox\nRUN echo hi\n');
 * if (result.ok) result.ast.instructions[1]?.args; // ['echo hi']
 */
export function parseDockerfile(text: string): ParseResult {
  const scanned = scanPhysicalLines(text);
  const result = new LineParser(scanned.lines).run();
  if (scanned.tooLongLine === undefined) return result.ok ? { ok: true, ast: withDirectives(result.ast, text) } : result;
  // BuildKit's scanner stops at the long line and reports it last; whatever
  // its stop caused (no instructions, an open heredoc) is reported as it.
  const caused = !result.ok && result.errors.every((e) => e.id === 'dockerfile/empty-file' || e.id === 'dockerfile/unterminated-heredoc');
  if (!result.ok && !caused) return result;
  const line = scanned.tooLongLine;
  const body = (text.startsWith('\ufeff') ? text.slice(1) : text).split('\n')[line - 1] ?? '';
  const range = { start: { line, character: 0 }, end: { line, character: stripCR(body).length } };
  return { ok: false, errors: [error('dockerfile/line-too-long', `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES}`, range)] };
}

/**
 * Adds `syntax` and `check` as BuildKit's frontend reads them: `DetectSyntax`
 * (which also takes `// syntax=`, a JSON first line, a line after a shebang)
 * and `ParseDirective("check")`, first word only. `escape` is what the parse
 * loop itself honoured.
 */
function withDirectives(ast: DockerfileAst, text: string): DockerfileAst {
  const syntax = detectSyntax(text);
  const check = parseDirective('check', text);
  if (!syntax && !check) return ast;
  const { ranges, ...found } = ast.directives;
  const directives: Directives = {
    ...found,
    ...(syntax ? { syntax: syntax.ref, syntaxCmdline: syntax.cmdline } : {}),
    ...(check ? { check: check.ref } : {}),
    ranges: { ...ranges, ...(syntax ? { syntax: syntax.range } : {}), ...(check ? { check: check.range } : {}) },
  };
  return { ...ast, directives };
}

/** The parse loop over physical lines (BuildKit's `Parse`). */
class LineParser {
  #next = 0;
  #escape = '\\';
  #escapeRange: SourceRange | undefined;
  readonly #directives = new DirectiveReader();
  #comments: string[] = [];
  readonly #instructions: InstructionNode[] = [];
  readonly #warnings: Diagnostic[] = [];

  constructor(readonly lines: readonly PhysicalLine[]) {}

  run(): ParseResult {
    while (this.#next < this.lines.length) {
      const failure = this.#instruction(this.lines[this.#next++]!);
      if (failure) return { ok: false, errors: [failure] };
    }
    if (this.#instructions.length === 0) {
      const last = this.lines.at(-1);
      const range = { start: { line: 1, character: 0 }, end: last ? lineRange(last).end : { line: 1, character: 0 } };
      return { ok: false, errors: [error('dockerfile/empty-file', 'file with no instructions', range)] };
    }
    return { ok: true, ast: this.#ast() };
  }

  #ast(): DockerfileAst {
    const directives = this.#escapeRange ? { escape: this.#escape, ranges: { escape: this.#escapeRange } } : {};
    return { directives, escapeToken: this.#escape, instructions: this.#instructions, warnings: this.#warnings };
  }

  /** Reads the instruction starting at `first` (or skips a comment or blank line); returns a failure. */
  #instruction(first: PhysicalLine): Diagnostic | undefined {
    if (first.kind === 'comment') this.#comment(first.body);
    const stripped = stripCR(first.body);
    const trimmed = trimLeftSpace(stripped);
    const indent = stripped.length - trimmed.length;
    const directiveFailure = this.#directive(trimmed, lineRange(first, indent));
    if (directiveFailure) return directiveFailure;
    const head = trimContinuation(first.kind === 'comment' ? '' : trimmed, this.#escape);
    if (!head.continues && head.text === '') return undefined;

    const logical = new LogicalLine();
    logical.append(head.text, first.line, indent);
    let last = head.continues ? this.#continuation(logical, first) : first;
    const parsed = parseInstructionLine(logical.text, this.#escape);
    if ('error' in parsed) return error(parsed.error.id, parsed.error.message, logical.range(parsed.error.start, parsed.error.end));
    // A first line that was only the escape still starts the instruction (BuildKit's StartLine).
    const start = head.text === '' ? { line: first.line, character: indent } : logical.position(parsed.keyword.start);
    let heredocs: Heredoc[] = [];
    if (canContainHeredoc(parsed) && logical.text.includes('<<')) {
      const read = this.#heredocs(logical.text, { start, end: lineRange(last).end });
      if (!Array.isArray(read)) return read;
      heredocs = read;
      last = this.lines[this.#next - 1] ?? last;
    }
    const prevComment = this.#comments;
    this.#comments = [];
    this.#instructions.push(buildNode(parsed, { logical, start, end: lineRange(last).end, heredocs, prevComment }));
    return undefined;
  }

  /** A comment line joins the comments of the next instruction; a bare `#` clears them. */
  #comment(body: string): void {
    // BuildKit drops the first byte: the `#` only when the comment is not indented.
    const comment = trimSpaceAt(new ByteView(body).slice(1)).text;
    if (comment === '') this.#comments = [];
    else this.#comments.push(comment);
  }

  /**
   * Appends the lines continuing an instruction to `logical`; returns the last
   * line read. Comment lines are dropped; blank ones too, with BuildKit's
   * warning (its no-empty-continuation rule), placed on the instruction's last line.
   */
  #continuation(logical: LogicalLine, first: PhysicalLine): PhysicalLine {
    let last = first;
    let blank = false;
    for (let continues = true; continues && this.#next < this.lines.length; ) {
      last = this.lines[this.#next++]!;
      if (last.kind === 'comment') continue;
      if (last.kind === 'blank') {
        blank = true;
        continue;
      }
      const part = trimContinuation(stripCR(last.body), this.#escape);
      logical.append(part.text, last.line, 0);
      continues = part.continues;
    }
    if (blank) {
      const message = `Empty continuation line found in: ${logical.text}`;
      const hint = 'Empty continuation lines will become errors in a future release';
      this.#warnings.push({ id: 'dockerfile/no-empty-continuation', severity: 'warning', message, range: lineRange(last), hint });
    }
    return last;
  }

  /** Reads the bodies of the heredocs marked on `line`, one after the other. */
  #heredocs(line: string, range: SourceRange): Heredoc[] | Diagnostic {
    const markers = heredocsFromLine(line);
    if (!Array.isArray(markers)) return error('dockerfile/invalid-heredoc', markers.error, range);
    const heredocs: Heredoc[] = [];
    for (const marker of markers) {
      const body = this.#heredocBody(marker);
      if (!body) return error('dockerfile/unterminated-heredoc', 'unterminated heredoc', { start: range.start, end: lineRange(this.lines.at(-1)!).end });
      heredocs.push(body);
    }
    return heredocs;
  }

  /** Offers the line to the directive reader; a directive is not a comment. */
  #directive(text: string, range: SourceRange): Diagnostic | undefined {
    const step = this.#directives.next(text);
    if ('duplicate' in step) return error('dockerfile/duplicate-directive', `only one ${step.duplicate} parser directive can be used`, range);
    if (!step.directive) return undefined;
    this.#comments.pop();
    if (step.directive.name !== 'escape') return undefined;
    const value = step.directive.value;
    if (value !== '`' && value !== '\\') return error('dockerfile/invalid-escape-token', `invalid escape token '${value}' does not match \` or \\`, range);
    this.#escape = value;
    this.#escapeRange = range;
    return undefined;
  }

  /** Reads the lines of one heredoc up to its terminator; undefined when the file ends first. */
  #heredocBody(marker: HeredocMarker): Heredoc | undefined {
    let content = '';
    const first = this.lines[this.#next];
    while (this.#next < this.lines.length) {
      const line = this.lines[this.#next++]!;
      const candidate = marker.chomp ? stripCR(line.body).replace(/^\t+/, '') : stripCR(line.body);
      if (candidate === marker.name) {
        const range = { start: { line: first!.line, character: 0 }, end: lineRange(line).end };
        return { ...marker, content, range };
      }
      content += line.raw;
    }
    return undefined;
  }
}
