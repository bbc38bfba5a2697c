import type { Diagnostic, SourceRange } from '../diagnostic.js';

/**
 * The Dockerfile syntax tree: what BuildKit's `frontend/dockerfile/parser`
 * produces, with ranges. Instructions are not interpreted here (that is
 * frontends/dockerfile/instructions); arguments are split as BuildKit's parser
 * splits them, so `dumpAst()` prints BuildKit's `Node.Dump()` format.
 */

/** A heredoc attached to an instruction (`<<EOF … EOF`). */
export interface Heredoc {
  /** The delimiter word (`EOF`). */
  readonly name: string;
  /** File descriptor prefix (`3<<EOF` → 3; 0 when none). */
  readonly fileDescriptor: number;
  /** False when the delimiter was quoted: no variable expansion. */
  readonly expand: boolean;
  /** `<<-`: leading tabs are stripped from content lines. */
  readonly chomp: boolean;
  /** The body, each line ending in `\n`, as written (chomping applies later). */
  readonly content: string;
  /** From the first body line to the end of the terminator line. */
  readonly range?: SourceRange;
}

/** One instruction (a logical line, continuations joined). */
export interface InstructionNode {
  /** The keyword lower-cased, as BuildKit's `Node.Value` (`run`, `copy`…). */
  readonly keyword: string;
  /** The keyword as written (`Run`), for error messages. */
  readonly keywordText: string;
  /** Leading `--flag[=value]` words, as written; a bare `--` is dropped. */
  readonly flags: readonly string[];
  /** Range of each flag word as written (same length as flags). */
  readonly flagRanges?: readonly SourceRange[];
  /**
   * BuildKit's `Next` chain: for the exec (JSON) form, one entry per array
   * element; for shell-form RUN/CMD/ENTRYPOINT the rest of the line; for ENV
   * and LABEL triples `name, value, sep`; otherwise whitespace-separated words.
   */
  readonly args: readonly string[];
  /** ONBUILD's instruction. */
  readonly nested?: InstructionNode;
  /** The arguments were written in exec (JSON array) form. */
  readonly json: boolean;
  readonly heredocs: readonly Heredoc[];
  /** The instruction's original text, continuation lines joined as BuildKit does. */
  readonly original: string;
  /** From the keyword's first character to the end of the last line (heredoc bodies included). */
  readonly range: SourceRange;
  /** Range of each argument word as it appears in the file, when it can be known (same length as args, or empty). */
  readonly argRanges: readonly SourceRange[];
  /** Comment lines right before the instruction (without `#`). */
  readonly prevComment: readonly string[];
}

/** Parser directives at the top of the file (`# syntax=`, `# escape=`, `# check=`). */
export interface Directives {
  /** The frontend reference, as BuildKit's `DetectSyntax` reads it (first word; `//` and JSON forms, after a shebang). */
  readonly syntax?: string;
  /** Set when an `# escape=` directive was honoured by the parse. */
  readonly escape?: string;
  /** The lint configuration, as BuildKit's `ParseDirective("check")` reads it (first word). */
  readonly check?: string;
  /** The whole `syntax` value (`docker/dockerfile:1 // opts`); `syntax` is its first word. */
  readonly syntaxCmdline?: string;
  /** The line of each directive found. */
  readonly ranges?: { readonly syntax?: SourceRange; readonly escape?: SourceRange; readonly check?: SourceRange };
}

/** A parsed Dockerfile. */
export interface DockerfileAst {
  readonly directives: Directives;
  /** The escape character in effect (`\\` or `` ` ``). */
  readonly escapeToken: string;
  readonly instructions: readonly InstructionNode[];
  /** Non-fatal findings (e.g. empty continuation lines), as BuildKit's parser warnings. */
  readonly warnings: readonly Diagnostic[];
}

/** The result of parsing: an AST, or the diagnostics that stopped it. */
export type ParseResult = { readonly ok: true; readonly ast: DockerfileAst } | { readonly ok: false; readonly errors: readonly Diagnostic[] };
