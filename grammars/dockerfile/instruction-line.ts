import type { Span } from './go-text.js';
import { parseArgs } from './line-parsers.js';
import { splitCommand } from './split-command.js';

/**
 * One instruction line split as BuildKit's `newNodeFromLine` splits it:
 * keyword, flags, then the arguments as the keyword's line parser shapes them.
 * Offsets are UTF-16 offsets in the logical line.
 */
export interface ParsedLine {
  readonly keyword: Span;
  readonly flags: readonly Span[];
  /** BuildKit's `Next` chain, each value with where it was written. */
  readonly args: readonly Span[];
  readonly json: boolean;
  /** ONBUILD's instruction. */
  readonly nested?: ParsedLine;
  /** The instruction's text (BuildKit's `Original`) and where it is. */
  readonly original: Span;
}

/** A user mistake found while splitting the arguments. */
export interface LineError {
  readonly error: {
    readonly id: string;
    readonly message: string;
    readonly start: number;
    readonly end: number;
  };
}

/**
 * Splits `line` (found at `base` in the logical line) into an instruction.
 * Keywords are not checked: BuildKit's parser accepts any word and leaves
 * unknown instructions to the instructions layer.
 *
 * @example
 * parseInstructionLine('ONBUILD RUN ["a"]', '\\') // nested: { keyword RUN, args ['a'], json: true }
 */
export function parseInstructionLine(line: string, escape: string, base = 0): ParsedLine | LineError {
  const split = splitCommand(line, escape);
  const shift = (s: Span): Span => ({ text: s.text, start: s.start + base, end: s.end + base });
  const keyword = shift(split.keyword);
  const flags = split.flags.map(shift);
  const args = shift(split.args);
  const original = { text: line, start: base, end: base + line.length };

  if (keyword.text.toLowerCase() === 'onbuild') {
    if (args.text === '') return { keyword, flags, args: [], json: false, original };
    const nested = parseInstructionLine(args.text, escape, args.start);
    if ('error' in nested) return nested;
    return { keyword, flags, args: [], json: false, nested, original };
  }
  const parsed = parseArgs(keyword.text.toLowerCase(), args, escape);
  if ('error' in parsed) return parsed;
  return { keyword, flags, args: parsed.args, json: parsed.json, original };
}
