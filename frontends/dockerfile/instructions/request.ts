import type { Diagnostic, SourceRange } from '../../../grammars/diagnostic.js';
import type { InstructionNode } from '../../../grammars/dockerfile/ast.js';
import { errorAt, toDiagnostic } from './failure.js';
import { BFlags } from './flags.js';

/**
 * What every instruction parser receives: BuildKit's `parseRequest`, built from
 * one AST node. Also the shared argument-count errors, worded as BuildKit's.
 */
export interface ParseRequest {
  readonly node: InstructionNode;
  /** The keyword lower-cased (`run`). */
  readonly command: string;
  /** The arguments; for ONBUILD, the trigger's keyword followed by its arguments (BuildKit's `nodeArgs`). */
  readonly args: readonly string[];
  readonly flags: BFlags;
  /** The arguments were written in exec (JSON) form. */
  readonly json: boolean;
}

/** The request for one node. */
export function newParseRequest(node: InstructionNode): ParseRequest {
  const args = node.nested ? [node.nested.keyword, ...node.nested.args] : node.args;
  return { node, command: node.keyword.toLowerCase(), args, flags: new BFlags(node.flags), json: node.json };
}

/** The `node` and `range` every command carries. */
export function base(req: ParseRequest): { readonly node: InstructionNode; readonly range: SourceRange } {
  return { node: req.node, range: req.node.range };
}

/** An error on the instruction's range. */
export function fail(req: ParseRequest, slug: string, message: string, hint?: string): Diagnostic {
  return errorAt(req.node.range, slug, message, hint);
}

/** An error on argument `index` when its range is known, else on the instruction. */
export function failArg(req: ParseRequest, index: number, slug: string, message: string): Diagnostic {
  return errorAt(req.node.argRanges[index] ?? req.node.range, slug, message);
}

/** The range of flag word `index` when the parser recorded it, else the instruction's. */
export function flagRange(req: ParseRequest, index: number | undefined): SourceRange {
  return (index === undefined ? undefined : req.node.flagRanges?.[index]) ?? req.node.range;
}

/** Parses the declared flags; the first mistake as a diagnostic on the flag, or undefined. */
export function parseFlags(req: ParseRequest): Diagnostic | undefined {
  const problem = req.flags.parse();
  return problem ? toDiagnostic(problem, flagRange(req, problem.flagIndex)) : undefined;
}

/** `X requires at least one argument`. */
export function errAtLeastOneArgument(req: ParseRequest, command: string): Diagnostic {
  return fail(req, 'missing-argument', `${command} requires at least one argument`);
}

/** `X requires exactly one argument`. */
export function errExactlyOneArgument(req: ParseRequest, command: string): Diagnostic {
  return fail(req, 'argument-count', `${command} requires exactly one argument`);
}

/** COPY/ADD with a single argument. */
export function errNoDestinationArgument(req: ParseRequest, command: string): Diagnostic {
  return fail(req, 'missing-destination',
    `${command} requires at least two arguments, but only one was provided. Destination could not be determined`);
}

/** `X names can not be blank` (ENV, LABEL, ARG). */
export function errBlankCommandNames(req: ParseRequest, command: string): Diagnostic {
  return fail(req, 'blank-name', `${command} names can not be blank`);
}

/** `X cannot accept a heredoc as <option>`. */
export function errBadHeredoc(req: ParseRequest, command: string, option: string): Diagnostic {
  return fail(req, 'heredoc-not-allowed', `${command} cannot accept a heredoc as ${option}`);
}

/**
 * BuildKit's `handleJSONArgs`: exec form keeps the arguments; shell form joins
 * them with spaces into one command string.
 */
export function handleJsonArgs(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  if (json) return [...args];
  return [args.join(' ')];
}
