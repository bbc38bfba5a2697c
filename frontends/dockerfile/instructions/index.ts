// Public surface of frontends/dockerfile/instructions: the AST of
// grammars/dockerfile turned into typed commands (BuildKit's
// frontend/dockerfile/instructions). Conversion imports from here only.
export type * from './commands.js';
export { parseInstruction, parseDockerfileInstructions, INSTRUCTION_NAMES, type ParseDockerfileResult } from './parse.js';
export { findStage } from './stages.js';
export { parseMount, type WordExpander } from './run-mount.js';
export { parseDevice, type RunDevice } from './run-device.js';
export { expandPorts, expandPort } from './expose.js';
export { parseGoDuration } from './go-duration.js';
export { isDiagnostic, isFailure, toDiagnostic, type Failure } from './failure.js';
export { BFlags, Flag, type FlagType } from './flags.js';
