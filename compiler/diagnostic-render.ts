import type { Diagnostic, SourceRange } from '../grammars/diagnostic.js';
import { KilnError } from './errors.js';

/**
 * Renders a located problem for a person:
 *
 *     Dockerfile:3:1: error: unknown instruction: RUNN
 *       3 | RUNN echo hi
 *         | ^^^^
 *     hint: did you mean RUN?
 */
export function renderDiagnostic(d: Pick<Diagnostic, 'message' | 'range' | 'hint'> & { severity?: string }, file: { filename: string; source?: string }): string {
  const { start, end } = d.range;
  const out = [`${file.filename}:${start.line}:${start.character + 1}: ${d.severity ?? 'error'}: ${d.message}`];
  const lines = file.source?.replace(/^\uFEFF/, '').split(/\r?\n/);
  const text = lines?.[start.line - 1];
  if (text !== undefined) {
    const num = String(start.line);
    out.push(`  ${num} | ${text.replace(/\t/g, ' ')}`);
    const width = end.line === start.line ? Math.max(1, end.character - start.character) : Math.max(1, text.length - start.character);
    out.push(`  ${' '.repeat(num.length)} | ${' '.repeat(start.character)}${'^'.repeat(width)}`);
  }
  if (d.hint) out.push(`hint: ${d.hint}`);
  return out.join('\n');
}

/** A build-file error carrying diagnostics; the CLI renders them with the file's text. */
export class DiagnosticError extends KilnError {
  readonly diagnostics: readonly Diagnostic[];
  readonly filename: string;
  readonly source: string | undefined;

  constructor(diagnostics: readonly Diagnostic[], filename: string, source?: string) {
    super(diagnostics[0]?.id ?? 'diagnostic', diagnostics.map((d) => renderDiagnostic(d, { filename, ...(source !== undefined ? { source } : {}) })).join('\n'));
    this.diagnostics = diagnostics;
    this.filename = filename;
    this.source = source;
  }
}

/** Turns a KilnError with a `range` (set while converting) into a rendered diagnostic error. */
export function locateError(err: unknown, filename: string, source: string): unknown {
  const range = (err as { range?: SourceRange }).range;
  if (!(err instanceof KilnError) || !range || err instanceof DiagnosticError) return err;
  const hint = (err as { hint?: string }).hint;
  return new DiagnosticError([{ id: err.code, severity: 'error', message: err.message, range, ...(hint ? { hint } : {}) }], filename, source);
}

export type { Diagnostic, SourceRange };
