import type { SourceRange } from '../diagnostic.js';

/**
 * Parser directives (`# syntax=`, `# escape=`, `# check=`): BuildKit's
 * `DirectiveParser` and its `DetectSyntax` / `ParseDirective` readers.
 * Directives are only honoured at the very top of the file: the first line
 * that is not a well-formed directive of a known name ends them for good.
 */

/** The directives BuildKit knows; any other `# key=value` line ends the directive block. */
export const DIRECTIVE_NAMES = ['syntax', 'escape', 'check'] as const;
export type DirectiveName = (typeof DIRECTIVE_NAMES)[number];

/** A directive found at the top of a file. */
export interface Directive {
  /** Lower-cased name. */
  readonly name: DirectiveName;
  /** Everything after `=`, trimmed. */
  readonly value: string;
  /** 1-based line number. */
  readonly line: number;
}

// Go RE2 `\s` is [\t\n\f\r ] (no \v) and `.` is anything but `\n`.
function directiveRegExp(prefix: string): RegExp {
  return new RegExp(`^${prefix}[\\t\\n\\f\\r ]*([a-zA-Z][a-zA-Z0-9]*)[\\t\\n\\f\\r ]*=[\\t\\n\\f\\r ]*([^\\n]+?)[\\t\\n\\f\\r ]*$`);
}

/** The outcome of offering one line to a {@link DirectiveReader}. */
export type DirectiveStep = { readonly directive?: Directive } | { readonly duplicate: DirectiveName };

/**
 * Reads directives line by line, as BuildKit's `DirectiveParser.ParseLine`:
 * once a line fails to be a directive, no later line is one. A repeated
 * directive is an error for `Parse` (and silently ends `ParseAll`).
 */
export class DirectiveReader {
  #line: number;
  #done = false;

  /** No later line can be a directive. */
  get done(): boolean {
    return this.#done;
  }
  readonly #re: RegExp;
  readonly #seen = new Set<DirectiveName>();

  /** @param prefix the comment marker (`#`, or `//` for `DetectSyntax`'s fallback); @param firstLine lines already consumed (a shebang). */
  constructor(prefix = '#', firstLine = 0) {
    this.#re = directiveRegExp(prefix);
    this.#line = firstLine;
  }

  /** Offers the next line (without its newline). */
  next(text: string): DirectiveStep {
    this.#line++;
    if (this.#done) return {};
    const m = this.#re.exec(text);
    const name = m?.[1]?.toLowerCase();
    if (!m || !DIRECTIVE_NAMES.includes(name as DirectiveName)) {
      this.#done = true;
      return {};
    }
    const key = name as DirectiveName;
    if (this.#seen.has(key)) return { duplicate: key };
    this.#seen.add(key);
    return { directive: { name: key, value: m[2] ?? '', line: this.#line } };
  }
}

/** BuildKit's `ParseAll`: the directives at the top of `text` (lines split as `bufio.ScanLines` does). */
export function parseAllDirectives(text: string, prefix = '#', firstLine = 0): Directive[] {
  const reader = new DirectiveReader(prefix, firstLine);
  const out: Directive[] = [];
  for (const line of scanLines(text)) {
    const step = reader.next(line);
    if ('duplicate' in step || reader.done) break;
    if (step.directive) out.push(step.directive);
  }
  return out;
}

/** `bufio.ScanLines`, lazily (directives end early): no final empty line, one trailing `\r` dropped per line. */
function* scanLines(text: string): Generator<string> {
  for (let from = 0; from < text.length; ) {
    const nl = text.indexOf('\n', from);
    const end = nl < 0 ? text.length : nl;
    yield text[end - 1] === '\r' ? text.slice(from, end - 1) : text.slice(from, end);
    from = end + 1;
  }
}

/** A directive as the frontend reads it: the first word, the whole value, and where it was. */
export interface DirectiveValue {
  /** The value up to its first space (`docker/dockerfile:1` of `docker/dockerfile:1 // opts`). */
  readonly ref: string;
  /** The whole value. */
  readonly cmdline: string;
  readonly range: SourceRange;
}

/**
 * BuildKit's `DetectSyntax`: the `syntax` directive, also accepted as
 * `// syntax=…` or as a JSON document `{"syntax": "…"}`, after an optional
 * BOM and `#!` shebang line.
 */
export function detectSyntax(text: string): DirectiveValue | undefined {
  return findDirective('syntax', text, true);
}

/** BuildKit's `ParseDirective`: a `# key=…` directive (BOM and shebang allowed, no other forms). */
export function parseDirective(key: DirectiveName, text: string): DirectiveValue | undefined {
  return findDirective(key, text, false);
}

function findDirective(key: DirectiveName, input: string, anyFormat: boolean): DirectiveValue | undefined {
  let text = input.startsWith('\ufeff') ? input.slice(1) : input;
  const newline = text.indexOf('\n');
  const firstLine = newline < 0 ? text : text.slice(0, newline);
  const shebang = firstLine.startsWith('#!') ? 1 : 0;
  if (shebang) text = newline < 0 ? '' : text.slice(newline + 1);

  for (const prefix of anyFormat ? ['#', '//'] : ['#']) {
    const found = parseAllDirectives(text, prefix, shebang).find((d) => d.name === key);
    if (found) return { ref: found.value.split(' ')[0] ?? '', cmdline: found.value, range: lineRange(input, found.line) };
  }
  if (!anyFormat) return undefined;
  const value = jsonDirective(text, key);
  return value === undefined ? undefined : { ref: value, cmdline: value, range: lineRange(input, shebang + 1) };
}

/** `{"syntax": "…"}`: the whole remaining document must be one JSON object. */
function jsonDirective(text: string, key: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !Object.hasOwn(doc, key)) return undefined;
  const value = (doc as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/** The whole of 1-based line `line` of `text`. */
function lineRange(text: string, line: number): SourceRange {
  const body = (text.startsWith('\ufeff') ? text.slice(1) : text).split('\n')[line - 1] ?? '';
  return { start: { line, character: 0 }, end: { line, character: body.replace(/[\r\n]+$/, '').length } };
}
