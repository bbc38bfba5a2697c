import { KilnError } from '../../../compiler/index.js';

/** A pattern BuildKit rejects; `pattern` is the one compiled (reversed for `%`, as BuildKit reports it). */
export class ShellPatternError extends KilnError {
  readonly pattern: string;

  constructor(pattern: string, message: string) {
    super('shell/invalid-pattern', message);
    this.pattern = pattern;
  }
}

/** One step of a glob: a literal character, `?`, or `*`. */
type Atom = { readonly kind: 'char'; readonly ch: string } | { readonly kind: 'any' } | { readonly kind: 'star' };

/** A match as code-point indices into the searched text; `end` is exclusive. */
export interface GlobMatch {
  readonly start: number;
  readonly end: number;
}

/** A thread of the matcher: the atom it waits at (atoms.length = matched) and where its match began. */
interface Thread {
  readonly at: number;
  readonly start: number;
}

/**
 * A glob of `${VAR#p}`, `${VAR%p}` or `${VAR/p/r}`, matched as BuildKit's
 * regular expression (from `convertShellPatternToRegex`) matches on Go's RE2.
 *
 * Only `*` (any run), `?` (any character) and backslash escapes are special:
 * BuildKit escapes `[`, so there are no bracket expressions. Like Go's `.`,
 * neither wildcard matches '\n'. Matching is leftmost-first, with `*` taking
 * as much (greedy) or as little as it can, and runs in time linear in the text
 * (a Pike VM, as RE2) where a backtracking RegExp takes minutes on
 * `${ARG#*a*a*a*b}` over a few hundred characters.
 */
export class Glob {
  readonly #atoms: readonly Atom[];

  private constructor(atoms: readonly Atom[]) {
    this.#atoms = atoms;
  }

  /**
   * Compiles a glob. `\*`, `\?` and `\\` are literal; `\}` and `\/` are the
   * characters (the backslash only kept them from ending the `${…}`); any other
   * escape throws ShellPatternError, worded as BuildKit words it.
   */
  static compile(pattern: string): Glob {
    const chars = Array.from(pattern);
    const atoms: Atom[] = [];
    // Go's text/scanner, which BuildKit reads the pattern with, skips a leading byte order mark.
    for (let i = chars[0] === '\uFEFF' ? 1 : 0; i < chars.length; i++) {
      const ch = chars[i] ?? '';
      if (ch === '*') atoms.push({ kind: 'star' });
      else if (ch === '?') atoms.push({ kind: 'any' });
      else if (ch !== '\\') atoms.push({ kind: 'char', ch });
      else if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      else {
        const next = chars[++i];
        // Go prints its EOF rune with %c, which comes out as U+FFFD.
        if (next !== '*' && next !== '?' && next !== '\\') throw new ShellPatternError(pattern, `invalid escape '\\${next ?? '\uFFFD'}'`);
        atoms.push({ kind: 'char', ch: next });
      }
    }
    return new Glob(atoms);
  }

  /**
   * The leftmost-first match in `text` (code points) starting at `from`, or
   * only AT `from` when anchored.
   */
  match(text: readonly string[], from: number, opts: { readonly anchored: boolean; readonly greedy: boolean }): GlobMatch | undefined {
    const done = this.#atoms.length;
    let found: GlobMatch | undefined;
    let current: Thread[] = [];
    this.#add(current, new Set(), { at: 0, start: from }, opts.greedy);
    for (let pos = from; current.length > 0 || (!found && !opts.anchored && pos < text.length); pos++) {
      const next: Thread[] = [];
      const seen = new Set<number>();
      for (const thread of current) {
        if (thread.at === done) {
          // Every thread after this one has lower priority: drop them.
          found = { start: thread.start, end: pos };
          break;
        }
        const atom = this.#atoms[thread.at];
        const ch = text[pos];
        if (atom === undefined || ch === undefined) continue;
        if (atom.kind === 'char' ? ch === atom.ch : ch !== '\n') {
          this.#add(next, seen, { at: atom.kind === 'star' ? thread.at : thread.at + 1, start: thread.start }, opts.greedy);
        }
      }
      // A match starting later has the lowest priority, and none is tried once one is found.
      if (!found && !opts.anchored && pos < text.length) this.#add(next, seen, { at: 0, start: pos + 1 }, opts.greedy);
      current = next;
    }
    return found;
  }

  /** Adds a thread and what it reaches without consuming, in priority order; first arrival wins. */
  #add(list: Thread[], seen: Set<number>, thread: Thread, greedy: boolean): void {
    if (seen.has(thread.at)) return;
    seen.add(thread.at);
    if (this.#atoms[thread.at]?.kind !== 'star') {
      list.push(thread);
      return;
    }
    // At a star: consuming one more character (the thread stays) or moving past it.
    const past = { at: thread.at + 1, start: thread.start };
    if (greedy) list.push(thread);
    this.#add(list, seen, past, greedy);
    if (!greedy) list.push(thread);
  }
}
