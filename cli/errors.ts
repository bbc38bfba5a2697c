import { KilnError } from '../compiler/index.js';

/** A mistake in how the command was called (bad flag value, missing file). */
export class UsageError extends KilnError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('usage', message, options);
  }
}

/**
 * Prints an error for a person and returns the exit code. Expected failures
 * (KilnError) print one clear message; anything else is a bug in kiln and
 * keeps its stack so it can be reported.
 */
export function reportError(err: unknown, stderr: NodeJS.WritableStream = process.stderr): number {
  if (err instanceof KilnError) {
    stderr.write(`kiln: ${err.message}\n`);
    return err.code === 'usage' ? 2 : 1;
  }
  const e = err instanceof Error ? err : new Error(String(err));
  const nodeCode = (e as NodeJS.ErrnoException).code;
  if (nodeCode === 'ENOENT' || nodeCode === 'EACCES' || nodeCode === 'EISDIR') {
    stderr.write(`kiln: ${e.message}\n`);
    return 1;
  }
  stderr.write(`kiln: internal error (please report it): ${e.stack ?? e.message}\n`);
  return 70;
}
