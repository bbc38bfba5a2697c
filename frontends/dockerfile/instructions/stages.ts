import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { InstructionNode } from '../../../grammars/dockerfile/ast.js';
import type { ArgCommand, Command, Instruction, ParsedDockerfile, Stage } from './commands.js';
import { errorAt } from './failure.js';

/**
 * Grouping parsed instructions into meta ARGs and stages, as BuildKit's
 * `instructions.Parse` does: ARGs before the first FROM are meta args (usable
 * in FROM lines); every later instruction belongs to the stage its nearest
 * FROM opened; anything else before the first FROM is an error.
 */

/** The parsed file and the parse-time lint warnings, or the instruction errors (in file order). */
export type ParseDockerfileResult =
  | { readonly ok: true; readonly dockerfile: ParsedDockerfile; readonly warnings: readonly Diagnostic[] }
  | { readonly ok: false; readonly errors: readonly Diagnostic[]; readonly warnings: readonly Diagnostic[] };

/** One node's parse: an instruction or the diagnostic that stopped it. */
export interface ParsedNode {
  readonly node: InstructionNode;
  readonly result: Instruction | Diagnostic;
}

interface StageDraft {
  readonly from: Extract<Instruction, { kind: 'from' }>;
  readonly commands: Command[];
}

/**
 * Groups the instructions of a file into stages. Unlike BuildKit, which stops
 * at the first error, every instruction error is kept; the first is the one
 * BuildKit reports.
 */
export function collectStages(parsed: readonly ParsedNode[], warnings: readonly Diagnostic[]): ParseDockerfileResult {
  const errors: Diagnostic[] = [];
  const metaArgs: ArgCommand[] = [];
  const stages: StageDraft[] = [];
  let reportedNoStage = false;

  for (const { node, result } of parsed) {
    if (!('kind' in result)) {
      errors.push(result);
      continue;
    }
    if (result.kind === 'from') {
      stages.push({ from: result, commands: [] });
      continue;
    }
    const current = stages[stages.length - 1];
    if (current) {
      current.commands.push(result);
    } else if (result.kind === 'arg') {
      metaArgs.push(result);
    } else if (!reportedNoStage) {
      // BuildKit stops here; once explains every instruction above the first FROM.
      reportedNoStage = true;
      errors.push(errorAt(node.range, 'no-stage', 'no build stage in current context'));
    }
  }

  if (errors.length > 0) return { ok: false, errors, warnings };
  return { ok: true, dockerfile: { metaArgs, stages: stages.map(toStage) }, warnings };
}

function toStage(draft: StageDraft, index: number): Stage {
  const { from } = draft;
  return {
    ...(from.name === undefined ? {} : { name: from.name }),
    baseName: from.baseName,
    ...(from.platform === undefined ? {} : { platform: from.platform }),
    commands: draft.commands,
    node: from.node,
    range: from.range,
    index,
    ...(from.comment === undefined ? {} : { comment: from.comment }),
  };
}

/** The index of the stage named `name` (case-insensitive, as BuildKit's `HasStage`), or -1. */
export function findStage(stages: readonly Stage[], name: string): number {
  const lower = name.toLowerCase();
  return stages.findIndex((s) => s.name !== undefined && s.name === lower);
}
