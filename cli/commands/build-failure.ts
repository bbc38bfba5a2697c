import type { Definition } from '../../compiler/index.js';
import { KilnError, renderDiagnostic } from '../../compiler/index.js';
import { ExecError } from '../../runtime/executor/exec-error.js';
import type { SolveError } from '../../runtime/solver/index.js';

/**
 * The message for a failed step: what failed, the build-file line that made
 * it (with a caret), and the step's last log lines, as BuildKit prints them.
 */
export function describeFailure(err: SolveError, def: Definition, source?: { filename: string; text: string }): KilnError {
  const parts: string[] = [];
  const exec = err.cause instanceof ExecError ? err.cause : undefined;
  if (exec?.lastLines.length) {
    parts.push(`------\n > ${err.vertex.name}:\n${exec.lastLines.map((l) => `   ${l}`).join('\n')}\n------`);
  }
  const loc = def.source?.locations?.[err.vertex.digest]?.locations?.[0];
  const range = loc?.ranges?.[0];
  if (source && range?.start && range.end) {
    parts.push(
      renderDiagnostic(
        {
          message: err.message,
          range: { start: { line: range.start.line ?? 1, character: range.start.character ?? 0 }, end: { line: range.end.line ?? 1, character: range.end.character ?? 0 } },
        },
        { filename: source.filename, source: source.text },
      ),
    );
  } else parts.push(err.message);
  return new KilnError(err.code, parts.join('\n'), { cause: err });
}
