import { goQuote, KilnError } from '../../../compiler/index.js';

/**
 * Stable ids of the ways word expansion fails; tests and callers switch on these,
 * never on the wording (which is BuildKit's, for users comparing the two).
 */
export type ShellExpansionErrorCode =
  /** A `'` or `"` with no closing quote. */
  | 'shell/unterminated-quote'
  /** `${` with no closing `}` (also any failure that ran into the end of the word inside `${…}`). */
  | 'shell/missing-brace'
  /** `${VAR/pattern` with no `/` before the end of the word. */
  | 'shell/missing-slash'
  /** `${}`, `${{…}`, `${:…}`: no parameter name. */
  | 'shell/bad-substitution'
  /** A modifier BuildKit does not implement: `${VAR=w}`, `${VAR:=w}`, `${VAR:#p}`, `${VAR.}`… */
  | 'shell/unsupported-modifier'
  /** `${VAR?msg}` or `${VAR:?msg}` with VAR unset. */
  | 'shell/variable-unset'
  /** `${VAR:?msg}` with VAR set to the empty string. */
  | 'shell/variable-empty'
  /** A `#`/`%`/`/` pattern with a backslash before anything but `*`, `?`, `\`, `}` or `/`. */
  | 'shell/invalid-pattern';

/**
 * A word that cannot be expanded (BuildKit's `shell.Lex` errors).
 *
 * The message is BuildKit's, byte for byte where it has one
 * (`failed to process "he${XXX:?}": XXX: is not allowed to be unset`), so that
 * users and golden tests see what `docker build` prints.
 */
export class ShellExpansionError extends KilnError {
  declare readonly code: ShellExpansionErrorCode;
  /** The word that was being expanded. */
  readonly word: string;
  /**
   * UTF-8 byte offset in `word` of the construct at fault: the opening quote,
   * the `$` of the substitution, or the modifier character.
   */
  readonly offset: number;
  /** The message without BuildKit's `failed to process "…": ` prefix. */
  readonly detail: string;
  /** For `shell/variable-unset` and `shell/variable-empty`: the variable's name. */
  readonly variable: string | undefined;

  constructor(
    code: ShellExpansionErrorCode,
    detail: string,
    where: { readonly word: string; readonly offset: number; readonly variable?: string },
    options?: { cause?: unknown },
  ) {
    // BuildKit wraps every lexer error with errors.Wrapf(err, "failed to process %q", word).
    super(code, `failed to process ${goQuote(where.word)}: ${detail}`, options);
    this.word = where.word;
    this.offset = where.offset;
    this.detail = detail;
    this.variable = where.variable;
  }
}
