// Public surface of the shell word processor (BuildKit's frontend/dockerfile/shell).
export { envFrom } from './env-from.js';
export { ShellExpansionError } from './shell-expansion-error.js';
export type { ShellExpansionErrorCode } from './shell-expansion-error.js';
export { ShellLex } from './shell-lex.js';
export type { ProcessResult, ShellEnv, ShellLexOptions, ShellLexSettings } from './shell-lex.js';
