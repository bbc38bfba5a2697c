/**
 * A user mistake in a build file: a value, not an exception. Rendered as
 * `file:line:col`, the source line, a caret under the range, and the hint.
 * Tests assert `id` and `range`, not wording.
 */
export interface Diagnostic {
  /** Stable identifier, e.g. `dockerfile/unknown-instruction`. */
  readonly id: string;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly range: SourceRange;
  /** A suggestion for fixing it (`did you mean RUN?`). */
  readonly hint?: string;
}

/** A position in a file: 1-based line, 0-based character (BuildKit's source-map convention). */
export interface SourcePosition {
  readonly line: number;
  readonly character: number;
}

/** A range in a file; `end` is exclusive. */
export interface SourceRange {
  readonly start: SourcePosition;
  readonly end: SourcePosition;
}
