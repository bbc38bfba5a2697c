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
  if (e instanceof FrontendError) {
    stderr.write(`kiln: ${e.message}\n`);
    return 1;
  }
  const nodeCode = (e as NodeJS.ErrnoException).code;
  if (nodeCode === 'ENOENT' || nodeCode === 'EACCES' || nodeCode === 'EISDIR') {
    stderr.write(`kiln: ${e.message}\n`);
    return 1;
  }
  stderr.write(`kiln: internal error (please report it): ${e.stack ?? e.message}\n`);
  return 70;
}

/**
 * An error a third-party frontend threw: its own copy of kiln's compiler makes its KilnErrors
 * foreign to this process, so one that carries a string `code` (a KilnError's shape) is a
 * user-facing message; anything else is the frontend's bug, reported with its stack.
 */
export class FrontendError extends Error {}

/** Wraps what a third-party frontend threw, by the rule of FrontendError. */
export function fromFrontend(name: string, err: unknown): unknown {
  if (err instanceof KilnError || !(err instanceof Error)) return err;
  if (typeof (err as { code?: unknown }).code === 'string' && !(err as NodeJS.ErrnoException).syscall) {
    return new FrontendError(err.message, { cause: err });
  }
  const wrapped = new Error(`frontend ${name} failed: ${err.message}`, { cause: err });
  wrapped.stack = `${wrapped.message}\n${err.stack ?? ''}`;
  return wrapped;
}
