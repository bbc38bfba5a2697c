import { ByteView, isGoSpaceByte, splitWhitespace, type Span } from './go-text.js';
import type { LineError } from './instruction-line.js';
import { parseJsonArray } from './json-array.js';
import { splitWords } from './parse-words.js';

/**
 * BuildKit's line parsers (`line_parsers.go`): how each keyword's argument
 * text becomes the node's `Next` chain. All take the trimmed argument text
 * with its offset in the logical line and return values with offsets.
 */
export interface ParsedArgs {
  readonly args: readonly Span[];
  /** Written as a JSON array (BuildKit's `json` attribute). */
  readonly json: boolean;
}

type LineParser = (rest: Span, escape: string) => ParsedArgs | LineError;

const NONE: ParsedArgs = { args: [], json: false };

/** Offsets of `spans` (relative to `rest.text`) made relative to the logical line. */
function at(rest: Span, spans: readonly Span[]): Span[] {
  return spans.map((s) => ({ text: s.text, start: rest.start + s.start, end: rest.start + s.end }));
}

function fail(id: string, message: string, start: number, end: number): LineError {
  return { error: { id, message, start, end } };
}

/** FROM, EXPOSE, and the list fallback of ADD/COPY/VOLUME: words split on `[\t\v\f\r ]+`. */
const whitespaceDelimited: LineParser = (rest) => (rest.text === '' ? NONE : { args: at(rest, splitWhitespace(rest.text)), json: false });

/** MAINTAINER, STOPSIGNAL, USER, WORKDIR: the whole text is one argument. */
const wholeString: LineParser = (rest) => (rest.text === '' ? NONE : { args: [rest], json: false });

/** ARG: words, quotes kept (`name`, `name=value`). */
const nameOrNameValue: LineParser = (rest, escape) => ({ args: at(rest, splitWords(rest.text, escape)), json: false });

/** RUN, CMD, ENTRYPOINT, SHELL: a JSON array, or else the whole text as one shell command. */
const maybeJson: LineParser = (rest) => {
  if (rest.text === '') return NONE;
  const parsed = parseJsonArray(rest.text);
  if (parsed.kind === 'array') return { args: at(rest, parsed.items), json: true };
  if (parsed.kind === 'not-string-array') return notStringArray(rest);
  return { args: [rest], json: false };
};

/** ADD, COPY, VOLUME: a JSON array, or else whitespace-separated words. */
const maybeJsonToList: LineParser = (rest, escape) => {
  const parsed = parseJsonArray(rest.text);
  if (parsed.kind === 'array') return { args: at(rest, parsed.items), json: true };
  if (parsed.kind === 'not-string-array') return notStringArray(rest);
  return whitespaceDelimited(rest, escape);
};

function notStringArray(rest: Span): LineError {
  return fail('dockerfile/json-not-string-array', 'when using JSON array syntax, arrays must be comprised of strings only', rest.start, rest.end);
}

/**
 * HEALTHCHECK: a type word (`CMD`, `NONE`, anything) then the rest as for CMD.
 * BuildKit finds the word's end byte by byte, like the flag reader.
 */
const healthConfig: LineParser = (rest, escape) => {
  const view = new ByteView(rest.text);
  let sep = 0;
  while (sep < view.bytes.length && !isGoSpaceByte(view.bytes[sep]!)) sep++;
  if (sep === 0) return NONE;
  let next = sep;
  while (next < view.bytes.length && isGoSpaceByte(view.bytes[next]!)) next++;
  const typeEnd = view.charOffset(sep);
  const type = { text: view.slice(0, sep), start: rest.start, end: rest.start + typeEnd };
  const cmdStart = rest.start + view.charOffset(next);
  const cmd = maybeJson({ text: view.slice(next), start: cmdStart, end: rest.end }, escape);
  if ('error' in cmd) return cmd;
  return { args: [type, ...cmd.args], json: cmd.json };
};

/**
 * ENV, LABEL: `name=value` pairs, or the legacy `name value…` form (the value
 * is the rest of the line), as triples name, value, separator (`=` or '').
 * Quotes and escapes stay in the values: expansion handles them later.
 */
function nameValue(instruction: string): LineParser {
  return (rest, escape) => {
    const words = splitWords(rest.text, escape);
    const first = words[0];
    if (!first) return NONE;
    if (!first.text.includes('=')) {
      const [name, value] = splitWhitespace(rest.text, 2);
      if (!name || !value) return fail('dockerfile/missing-value', `${instruction} must have two arguments`, rest.start, rest.end);
      const sep = { text: '', start: name.end, end: name.end };
      return { args: at(rest, [name, value, sep]), json: false };
    }
    const args: Span[] = [];
    for (const word of words) {
      const eq = word.text.indexOf('=');
      if (eq < 0) {
        const message = `Syntax error - can't find = in ${JSON.stringify(word.text)}. Must be of the form: name=value`;
        return fail('dockerfile/missing-equals', message, rest.start + word.start, rest.start + word.end);
      }
      const split = word.start + eq;
      args.push(
        { text: word.text.slice(0, eq), start: word.start, end: split },
        { text: word.text.slice(eq + 1), start: split + 1, end: word.end },
        { text: '=', start: split, end: split + 1 },
      );
    }
    return { args: at(rest, args), json: false };
  };
}

/**
 * An unknown keyword: BuildKit's `parseIgnore` gives it one empty argument
 * (its dump is `(foo "")`); the instructions layer reports it.
 */
const ignore: LineParser = (rest) => ({ args: [{ text: '', start: rest.start, end: rest.start }], json: false });

const PARSERS: Readonly<Record<string, LineParser>> = {
  add: maybeJsonToList,
  arg: nameOrNameValue,
  cmd: maybeJson,
  copy: maybeJsonToList,
  entrypoint: maybeJson,
  env: nameValue('ENV'),
  expose: whitespaceDelimited,
  from: whitespaceDelimited,
  healthcheck: healthConfig,
  label: nameValue('LABEL'),
  maintainer: wholeString,
  run: maybeJson,
  shell: maybeJson,
  stopsignal: wholeString,
  user: wholeString,
  volume: maybeJsonToList,
  workdir: wholeString,
};

/** The arguments of instruction `keyword` (lower-cased; ONBUILD is handled by the caller). */
export function parseArgs(keyword: string, rest: Span, escape: string): ParsedArgs | LineError {
  const parser = Object.hasOwn(PARSERS, keyword) ? PARSERS[keyword]! : ignore;
  return parser(rest, escape);
}
