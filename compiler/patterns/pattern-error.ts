import { KilnError } from '../errors.js';

/**
 * Why a pattern list or an ignore file was refused.
 *
 * - `bad-pattern`: Go's `filepath.ErrBadPattern` ("syntax error in pattern"); raised by the
 *   constructor for a malformed glob, or by a match for a glob whose regular expression Go
 *   would not compile (patternmatcher compiles lazily, so Docker fails only when it gets there).
 * - `illegal-exclusion`: a lone `!`.
 * - `line-too-long`: an ignore-file line of 64 KiB or more (Go's `bufio.ErrTooLong`).
 */
export type PatternErrorCode = 'bad-pattern' | 'illegal-exclusion' | 'line-too-long';

/** A pattern (or ignore-file line) Docker would refuse, with the offending text. */
export class PatternError extends KilnError {
  declare readonly code: PatternErrorCode;
  /** The pattern as the matcher saw it (cleaned, without a leading `!`), or the ignore-file line. */
  readonly pattern: string;

  constructor(code: PatternErrorCode, message: string, pattern: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.pattern = pattern;
  }
}

/** Go's wording for `filepath.ErrBadPattern`, with what kiln knows about the cause appended. */
export function badPattern(pattern: string, detail: string): PatternError {
  return new PatternError('bad-pattern', `syntax error in pattern ${JSON.stringify(pattern)}: ${detail}`, pattern);
}
