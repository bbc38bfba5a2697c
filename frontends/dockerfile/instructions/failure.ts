import type { Diagnostic, SourceRange } from '../../../grammars/diagnostic.js';

/**
 * A user mistake found by a helper that knows no source position (flags, mount
 * specs, durations, port specs). The instruction parser that called the helper
 * places it on the node's range with {@link toDiagnostic}.
 */
export interface Failure {
  readonly failed: true;
  /** The diagnostic id without its `dockerfile/` prefix (`unknown-flag`). */
  readonly slug: string;
  /** BuildKit's error text, without its `(did you mean …?)` suffix. */
  readonly message: string;
  /** `did you mean …?`, when a close option exists. */
  readonly hint?: string;
  /** The flag word at fault (index into `InstructionNode.flags`), when known. */
  readonly flagIndex?: number;
}

/** A {@link Failure} value. */
export function failure(slug: string, message: string, hint?: string): Failure {
  return hint === undefined ? { failed: true, slug, message } : { failed: true, slug, message, hint };
}

/** Whether a helper's result is a {@link Failure}. */
export function isFailure(value: unknown): value is Failure {
  return typeof value === 'object' && value !== null && (value as { failed?: unknown }).failed === true;
}

/** The same failure with BuildKit's context prefix (`failed to parse csv mounts: …`). */
export function wrapFailure(f: Failure, prefix: string): Failure {
  return failure(f.slug, `${prefix}: ${f.message}`, f.hint);
}

/** A `dockerfile/<slug>` error diagnostic. */
export function errorAt(range: SourceRange, slug: string, message: string, hint?: string): Diagnostic {
  const base = { id: `dockerfile/${slug}`, severity: 'error' as const, message, range };
  return hint === undefined ? base : { ...base, hint };
}

/** A `dockerfile/<slug>` warning diagnostic. */
export function warningAt(range: SourceRange, slug: string, message: string): Diagnostic {
  return { id: `dockerfile/${slug}`, severity: 'warning', message, range };
}

/** A {@link Failure} placed on a range. */
export function toDiagnostic(f: Failure, range: SourceRange): Diagnostic {
  return errorAt(range, f.slug, f.message, f.hint);
}

/** Whether a parse result is a diagnostic rather than a command (commands carry `kind`, diagnostics `severity`). */
export function isDiagnostic(value: object): value is Diagnostic {
  return 'severity' in value && 'id' in value;
}

/** `did you mean X?`: BuildKit's `suggest.Search` (Levenshtein distance under 3, closest first in `options` order). */
export function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const needle = caseSensitive ? value : value.toLowerCase();
  let match: string | undefined;
  let best = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    // An exact match means the error is about something else: no suggestion.
    if (candidate === needle) return undefined;
    const d = levenshtein(needle, candidate);
    if (d < best) {
      best = d;
      match = caseSensitive ? option : matchCase(candidate, value);
    }
  }
  return match;
}

/** The hint text for a suggestion, or undefined. */
export function didYouMean(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? undefined : `did you mean ${match}?`;
}

function matchCase(value: string, original: string): string {
  if (original === original.toLowerCase()) return value.toLowerCase();
  if (original === original.toUpperCase()) return value.toUpperCase();
  return value;
}

function levenshtein(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  let prev = Array.from({ length: y.length + 1 }, (_, i) => i);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
    }
    prev = cur;
  }
  return prev[y.length] ?? 0;
}
