import type { llb } from '../../../compiler/index.js';
import { ShellLex } from '../shell/index.js';
import type { ShellEnv } from '../shell/index.js';

/** The variables a state carries, as the shell lexer reads them. */
export function envOf(state: llb.State): ShellEnv {
  return { get: (name: string) => state.getEnv(name) };
}

/** A ShellEnv over an EnvList. */
export function envOfList(list: llb.EnvList): ShellEnv {
  return { get: (name: string) => list.get(name) };
}

/** Expands a word with a state's variables (BuildKit's SingleWordExpander). */
export function expandWith(lex: ShellLex, state: llb.State): (word: string) => string {
  const env = envOf(state);
  return (word: string) => lex.processWord(word, env);
}

/**
 * Expands a command string for a progress name: variables replaced, quotes
 * and unset variables kept; on error the text as written (BuildKit's processCmdEnv).
 */
export function displayName(lex: ShellLex, text: string, env: ShellEnv): string {
  try {
    return lex.processWord(text, env);
  } catch {
    return text;
  }
}

/** Upper-cases the first word (the instruction keyword) of a display name. */
export function uppercaseCmd(text: string): string {
  const sp = text.indexOf(' ');
  return sp < 0 ? text.toUpperCase() : text.slice(0, sp).toUpperCase() + text.slice(sp);
}

export { ShellLex };
export type { ShellEnv };
