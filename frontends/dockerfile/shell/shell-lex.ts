/**
 * Interface of the shell word processor (BuildKit's `frontend/dockerfile/shell`).
 * Implemented in this folder; see shell-lex's tests against the BuildKit corpus.
 */
import { ShellWord } from './shell-word.js';

/** Variables visible to expansion; `get` returns undefined for unset. */
export interface ShellEnv {
  get(name: string): string | undefined;
}

/** The outcome of expanding one word, with the variables it used (for lints and ARG tracking). */
export interface ProcessResult {
  readonly result: string;
  /** The words after splitting (ProcessWords semantics). */
  readonly words: readonly string[];
  /** Variables that were found set. */
  readonly matched: ReadonlySet<string>;
  /** Variables that were looked up but unset. */
  readonly unmatched: ReadonlySet<string>;
}

/**
 * Switches of BuildKit's `shell.Lex`, used in a few places of its Dockerfile
 * frontend: the parser finds heredoc markers with rawQuotes, rawEscapes and
 * skipUnsetEnv; RUN's progress name is expanded with rawQuotes and
 * skipUnsetEnv; instructions that expand "raw" (`SupportsSingleWordExpansionRaw`)
 * use skipProcessQuotes.
 */
export interface ShellLexOptions {
  /** Keep the quote characters in the result (`"a b"` stays `"a b"`, still one word). */
  readonly rawQuotes?: boolean;
  /** Keep escape characters in the result (`a\ b` stays `a\ b`, still one word). */
  readonly rawEscapes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-w}`) instead of expanding them. */
  readonly skipUnsetEnv?: boolean;
  /** Treat `'` and `"` as ordinary characters. */
  readonly skipProcessQuotes?: boolean;
}

/** Everything a ShellWord needs to know about its lexer. */
export interface ShellLexSettings extends Required<ShellLexOptions> {
  /** One character; the parser only lets a Dockerfile choose `\` or `` ` `` (`# escape=`). */
  readonly escapeToken: string;
}

/**
 * Shell word expansion as BuildKit's Dockerfile frontend does it
 * (`frontend/dockerfile/shell.Lex`): quotes, escapes, `$VAR` and the `${VAR…}`
 * forms BuildKit supports, and word splitting. Immutable, so one instance can
 * serve concurrent builds; `with()` derives a lexer with other options.
 *
 * @example
 * const lex = new ShellLex('\\');
 * lex.processWord('${HOME:-/root}/bin', envFrom(['HOME=/home/me']));   // '/home/me/bin'
 * lex.processWords('80/tcp ${PORTS}', envFrom({ PORTS: '443 8080' })); // ['80/tcp', '443', '8080']
 */
export class ShellLex {
  readonly settings: ShellLexSettings;

  constructor(escapeToken = '\\', options: ShellLexOptions = {}) {
    this.settings = Object.freeze({
      escapeToken,
      rawQuotes: options.rawQuotes ?? false,
      rawEscapes: options.rawEscapes ?? false,
      skipUnsetEnv: options.skipUnsetEnv ?? false,
      skipProcessQuotes: options.skipProcessQuotes ?? false,
    });
  }

  /** A lexer with the same escape token and these options changed. */
  with(options: ShellLexOptions): ShellLex {
    return new ShellLex(this.settings.escapeToken, { ...this.settings, ...options });
  }

  /**
   * Expands `word` to one string; spaces from variables and quotes are kept.
   * Throws ShellExpansionError.
   */
  processWord(word: string, env: ShellEnv): string {
    return this.processWordWithMatches(word, env).result;
  }

  /**
   * Expands `word` and splits the result at unquoted whitespace, including
   * whitespace that came from a variable (`$V` with V=`a b` gives two words,
   * `"$V"` one). Throws ShellExpansionError.
   */
  processWords(word: string, env: ShellEnv): string[] {
    return [...this.processWordWithMatches(word, env).words];
  }

  /**
   * Expands `word` and reports which variables it looked up: found (`matched`,
   * even if set to '') or not (`unmatched`). BuildKit's UndefinedVar lint and
   * ARG-usage tracking rely on these. Throws ShellExpansionError.
   */
  processWordWithMatches(word: string, env: ShellEnv): ProcessResult {
    const sw = new ShellWord(word, env, this.settings);
    const { text, words } = sw.expand();
    return { result: text, words, matched: sw.matched, unmatched: sw.unmatched };
  }
}
