import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { detectSyntax, parseAllDirectives, parseDirective, parseDockerfile, parseJsonArray, parseWords } from '../../../grammars/dockerfile/index.js';
import { corpusDir } from '../../support/corpus.js';

// extracted/json-arrays.json, directives.json and parser-misc.json: BuildKit's
// json_test.go, directives_test.go and parser_test.go transcribed.
const dir = join(corpusDir('buildkit-dockerfile-parser'), 'extracted');
const load = <T>(name: string): T => JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;

describe('json-arrays.json: parseJSON', () => {
  const corpus = load<{ valid: { input: string; expected: string[] }[]; invalidNotStringArray: string[] }>('json-arrays.json');
  it.each(corpus.valid.map((c) => [c.input, c.expected] as const))('valid %s', (input, expected) => {
    const parsed = parseJsonArray(input);
    expect(parsed.kind === 'array' ? parsed.items.map((i) => i.text) : parsed.kind).toEqual(expected);
  });
  it.each(corpus.invalidNotStringArray)('not a string array: %s', (input) => {
    expect(parseJsonArray(input).kind).toBe('not-string-array');
  });
  it('falls back to the shell form for what Go cannot decode', () => {
    expect(parseJsonArray('["a", 1e400]').kind).toBe('not-json');
    expect(parseJsonArray('["a" "b"]').kind).toBe('not-json');
    expect(parseJsonArray('{"a": 1}').kind).toBe('not-json');
  });
});

interface DetectCase {
  input?: string;
  inputBase64?: string;
  ok: boolean;
  ref?: string;
  cmdline?: string;
  startLine?: number;
  endLine?: number;
}
const input = (c: DetectCase): string => c.input ?? Buffer.from(c.inputBase64!, 'base64').toString('utf8');

describe('directives.json', () => {
  const corpus = load<{ parseAll: { input: string; expected: { name: string; value: string }[] }[]; detectSyntax: DetectCase[]; parseDirectiveCheck: DetectCase[] }>('directives.json');

  it.each(corpus.parseAll.map((c) => [c.input, c.expected] as const))('ParseAll %j', (text, expected) => {
    expect(parseAllDirectives(text).map((d) => ({ name: d.name, value: d.value }))).toEqual(expected);
  });

  const check = (found: ReturnType<typeof detectSyntax>, c: DetectCase): void => {
    if (!c.ok) {
      expect(found).toBeUndefined();
      return;
    }
    expect(found?.ref).toBe(c.ref);
    if (c.cmdline !== undefined) expect(found?.cmdline).toBe(c.cmdline);
    if (c.startLine !== undefined) expect([found?.range.start.line, found?.range.end.line]).toEqual([c.startLine, c.endLine]);
  };
  it.each(corpus.detectSyntax.map((c) => [input(c), c] as const))('DetectSyntax %j', (text, c) => check(detectSyntax(text), c));
  it.each(corpus.parseDirectiveCheck.map((c) => [input(c), c] as const))('ParseDirective(check) %j', (text, c) => check(parseDirective('check', text), c));

  it('fills the AST directives as the frontend reads them', () => {
    const result = parseDockerfile('\ufeff# syntax = docker/dockerfile:1 // opts\n# escape=`\n#check=skip=all\nFROM a\n');
    expect(result.ok && result.ast.directives).toEqual({
      syntax: 'docker/dockerfile:1',
      syntaxCmdline: 'docker/dockerfile:1 // opts',
      escape: '`',
      check: 'skip=all',
      ranges: {
        syntax: { start: { line: 1, character: 0 }, end: { line: 1, character: 38 } },
        escape: { start: { line: 2, character: 0 }, end: { line: 2, character: 10 } },
        check: { start: { line: 3, character: 0 }, end: { line: 3, character: 15 } },
      },
    });
    expect(result.ok && result.ast.escapeToken).toBe('`');
  });
});

describe('parser-misc.json', () => {
  const misc = load<{
    parseWords: { cases: { input: string; expected: string[] }[] };
    emptyContinuationWarnings: { dockerfile: string; expectedWarningCount: number; expectedSubstrings: string[][] };
    maxLineLength: { labelValueLength: number };
  }>('parser-misc.json');

  it.each(misc.parseWords.cases.map((c) => [c.input, c.expected] as const))('parseWords %j', (text, expected) => {
    expect(parseWords(text)).toEqual(expected);
  });

  it('warns once per instruction with empty continuation lines, at its last line', () => {
    const { dockerfile, expectedWarningCount, expectedSubstrings } = misc.emptyContinuationWarnings;
    const result = parseDockerfile(dockerfile);
    if (!result.ok) throw new Error(result.errors[0]!.message);
    const { warnings } = result.ast;
    expect(warnings).toHaveLength(expectedWarningCount);
    warnings.forEach((w, i) => {
      expect(w.id).toBe('dockerfile/no-empty-continuation');
      expect(w.severity).toBe('warning');
      for (const s of expectedSubstrings[i]!) expect(w.message).toContain(s);
    });
    expect(warnings.map((w) => w.range.start.line)).toEqual([11, 15]);
    expect(warnings[0]!.hint).toContain('will become errors in a future release');
  });

  it('rejects a line over 65535 bytes', () => {
    const label = 'a'.repeat(misc.maxLineLength.labelValueLength);
    const result = parseDockerfile(`\n\t\tFROM image\n\t\tLABEL test=${label}\n`);
    // BuildKit: "dockerfile line greater than max allowed size of 65535" (wording not asserted).
    expect(result.ok || result.errors.map((e) => [e.id, e.range.start.line])).toEqual([['dockerfile/line-too-long', 3]]);
  });

  it('accepts a line of exactly 65535 bytes, counting UTF-8 bytes', () => {
    const fits = `FROM a\nLABEL x=${'a'.repeat(65535 - 'LABEL x='.length)}`;
    expect(parseDockerfile(fits).ok).toBe(true);
    expect(parseDockerfile(`${fits}\n`).ok).toBe(true);
    const wide = `FROM a\nLABEL x=${'é'.repeat(32763)}a`; // 8 + 65526 + 1 bytes
    expect(parseDockerfile(wide).ok).toBe(true);
    expect(parseDockerfile(`${wide}a`).ok).toBe(false);
  });
});
