import type { Diagnostic, SourceRange } from '../../../grammars/diagnostic.js';
import type { DockerfileAst, InstructionNode } from '../../../grammars/dockerfile/ast.js';
import type { Instruction } from './commands.js';
import { parseAdd, parseCopy } from './copy.js';
import { didYouMean, errorAt, warningAt } from './failure.js';
import { parseFrom } from './from.js';
import { parseHealthcheck } from './healthcheck.js';
import { parseExpose } from './expose.js';
import { parseArg, parseEnv, parseLabel } from './key-values.js';
import { parseMaintainer, parseStopSignal, parseUser, parseVolume, parseWorkdir } from './metadata.js';
import { parseOnbuild } from './onbuild.js';
import { newParseRequest, type ParseRequest } from './request.js';
import { parseCmd, parseEntrypoint, parseRun, parseShell } from './run.js';
import { collectStages, type ParseDockerfileResult } from './stages.js';

/**
 * The AST to typed instructions: BuildKit's `ParseInstruction` (one node) and
 * `Parse` (the file, grouped into meta ARGs and stages). User mistakes come
 * back as {@link Diagnostic} values on the node's range, never as exceptions.
 */

export type { ParseDockerfileResult } from './stages.js';

type InstructionParser = (req: ParseRequest, warnings?: Diagnostic[]) => Instruction | Diagnostic;

/** Every Dockerfile keyword and its parser, in BuildKit's `command` package order. */
const PARSERS: ReadonlyMap<string, InstructionParser> = new Map<string, InstructionParser>([
  ['add', parseAdd],
  ['arg', parseArg],
  ['cmd', parseCmd],
  ['copy', parseCopy],
  ['entrypoint', parseEntrypoint],
  ['env', parseEnv],
  ['expose', parseExpose],
  ['from', parseFrom],
  ['healthcheck', parseHealthcheck],
  ['label', parseLabel],
  ['maintainer', (req, warnings) => {
    warnings?.push(warningAt(req.node.range, 'maintainer-deprecated', 'Maintainer instruction is deprecated in favor of using label'));
    return parseMaintainer(req);
  }],
  ['onbuild', parseOnbuild],
  ['run', parseRun],
  ['shell', parseShell],
  ['stopsignal', parseStopSignal],
  ['user', parseUser],
  ['volume', parseVolume],
  ['workdir', parseWorkdir],
]);

/** The Dockerfile keywords, upper-cased (`ADD` … `WORKDIR`). */
export const INSTRUCTION_NAMES: readonly string[] = [...PARSERS.keys()].map((k) => k.toUpperCase());

/**
 * Parses one instruction node. Warnings BuildKit's linter raises while parsing
 * (MaintainerDeprecated, StageNameCasing, FromAsCasing) are pushed to `warnings`.
 *
 * @example
 * const r = parseInstruction(node); // node: `RUN --network=none make`
 * if (!isDiagnostic(r) && r.kind === 'run') r.network; // 'none'
 */
export function parseInstruction(node: InstructionNode, warnings?: Diagnostic[]): Instruction | Diagnostic {
  const parser = PARSERS.get(node.keyword.toLowerCase());
  if (!parser) return unknownInstruction(node);
  return parser(newParseRequest(node), warnings);
}

/** `unknown instruction: FOO`, with the closest keyword as hint, on the keyword. */
function unknownInstruction(node: InstructionNode): Diagnostic {
  const keyword = node.keywordText || node.keyword;
  return errorAt(keywordRange(node), 'unknown-instruction', `unknown instruction: ${keyword}`,
    didYouMean(keyword, INSTRUCTION_NAMES, false));
}

function keywordRange(node: InstructionNode): SourceRange {
  const { start } = node.range;
  const length = (node.keywordText || node.keyword).length;
  return { start, end: { line: start.line, character: start.character + length } };
}

/**
 * Parses every instruction of a Dockerfile and groups them into meta ARGs and
 * stages; every instruction error is reported, in file order.
 *
 * @example
 * const r = parseDockerfileInstructions(ast); // FROM alpine AS Build / RUN make
 * if (r.ok) r.dockerfile.stages[0]?.name; // 'build'
 */
export function parseDockerfileInstructions(ast: DockerfileAst): ParseDockerfileResult {
  const warnings: Diagnostic[] = [];
  const parsed = ast.instructions.map((node) => ({ node, result: parseInstruction(node, warnings) }));
  return collectStages(parsed, warnings);
}
