import { KilnError } from '../../compiler/index.js';

/** How many of the last output lines an {@link ExecError} keeps. */
export const EXEC_ERROR_LOG_LINES = 20;

/**
 * A container process that exited with a non-zero status (BuildKit's
 * `ExitError`: "process "…" did not complete successfully: exit code: N").
 */
export class ExecError extends KilnError {
  readonly exitCode: number;
  /** The process's argv. */
  readonly args: readonly string[];
  /** The argv joined with spaces, for messages. */
  readonly command: string;
  /** The last lines the process printed (stdout and stderr interleaved), oldest first. */
  readonly lastLines: readonly string[];

  constructor(exitCode: number, args: readonly string[], lastLines: readonly string[], options?: { cause?: unknown }) {
    super(
      'executor/exit-code',
      `process ${JSON.stringify(args.join(' '))} did not complete successfully: exit code: ${exitCode}`,
      options,
    );
    this.exitCode = exitCode;
    this.args = args;
    this.command = args.join(' ');
    this.lastLines = lastLines;
  }
}
