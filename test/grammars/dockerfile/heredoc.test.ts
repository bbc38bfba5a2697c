import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DockerfileAst, ParseResult } from '../../../grammars/dockerfile/index.js';
import { chompHeredocContent, heredocsFromLine, parseDockerfile, parseHeredoc } from '../../../grammars/dockerfile/index.js';
import { corpusDir } from '../../support/corpus.js';

// extracted/heredoc-parse.json: parser_heredoc_test.go transcribed.
interface GoHeredoc {
  Name: string;
  FileDescriptor: number;
  Expand: boolean;
  Chomp: boolean;
  Content: string;
}
interface Corpus {
  dockerfile: string;
  cases: { childIndex: number; heredocs: GoHeredoc[] | null }[];
  jsonHeredocNotDetected: { dockerfile: string };
  parseHeredocHelper: { validHeredocs: string[]; invalidHeredocs: string[]; notHeredocs: string[] };
  heredocsFromLine: { cases: { line: string; heredocNames: string[] | null }[] };
  chomp: { input: string; expected: string };
}
const corpus = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-parser'), 'extracted', 'heredoc-parse.json'), 'utf8')) as Corpus;

function ast(result: ParseResult): DockerfileAst {
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.ast;
}

describe('heredocs of a parsed Dockerfile', () => {
  const { instructions } = ast(parseDockerfile(corpus.dockerfile));
  it('has every instruction', () => expect(instructions).toHaveLength(28));
  it.each(corpus.cases.map((c) => [c.childIndex, c] as const))('child %i', (index, c) => {
    const got = instructions[index]!.heredocs.map((h) => ({ Name: h.name, FileDescriptor: h.fileDescriptor, Expand: h.expand, Chomp: h.chomp, Content: h.content }));
    expect(got).toEqual(c.heredocs ?? []);
  });

  it('gives heredoc bodies a range and extends the instruction over them', () => {
    const copy = instructions[16]!; // COPY <<FILE1 <<FILE2 /dest
    expect(copy.heredocs.map((h) => h.range)).toEqual([
      { start: { line: 58, character: 0 }, end: { line: 59, character: 5 } },
      { start: { line: 60, character: 0 }, end: { line: 61, character: 5 } },
    ]);
    expect(copy.range).toEqual({ start: { line: 57, character: 0 }, end: { line: 61, character: 5 } });
  });

  it('never reads heredocs in the JSON form', () => {
    const json = ast(parseDockerfile(corpus.jsonHeredocNotDetected.dockerfile)).instructions;
    expect(json.slice(1, 4).map((n) => n.heredocs)).toEqual([[], [], []]);
  });

  it('fails on an unterminated heredoc', () => {
    const result = parseDockerfile('FROM a\nRUN <<EOF\necho\n');
    expect(result.ok || result.errors.map((e) => [e.id, e.range])).toEqual([
      ['dockerfile/unterminated-heredoc', { start: { line: 2, character: 0 }, end: { line: 3, character: 4 } }],
    ]);
  });

  it('attaches ONBUILD RUN heredocs to the ONBUILD node', () => {
    const [, onbuild] = ast(parseDockerfile('FROM a\nONBUILD RUN <<EOF\nx\nEOF\n')).instructions;
    expect(onbuild!.heredocs.map((h) => h.content)).toEqual(['x\n']);
    expect(onbuild!.nested!.keyword).toBe('run');
  });

  it('keeps CRLF in bodies and matches terminators without it', () => {
    const [, run] = ast(parseDockerfile('FROM a\r\nRUN <<EOF\r\nx\r\nEOF\r\n')).instructions;
    expect(run!.heredocs[0]!.content).toBe('x\r\n');
  });
});

describe('ParseHeredoc', () => {
  it.each(corpus.parseHeredocHelper.validHeredocs)('valid %s', (word) => {
    const h = parseHeredoc(word);
    expect(h && 'name' in h ? h.name : h).toBe('EOF');
  });
  it.each(corpus.parseHeredocHelper.invalidHeredocs)('invalid %s', (word) => {
    expect(parseHeredoc(word)).toHaveProperty('error');
  });
  it.each(corpus.parseHeredocHelper.notHeredocs)('not a heredoc %j', (word) => {
    expect(parseHeredoc(word)).toBeUndefined();
  });
});

describe('heredocsFromLine', () => {
  // The Go test compares names of the heredocs found, not their count: with
  // `<<- EOF` BuildKit's lexer makes `<<-` and `EOF` two words and finds none
  // (only whitespace right after `<<` stays in the marker word).
  const none = new Set(['RUN <<- EOF']);
  it.each(corpus.heredocsFromLine.cases.map((c) => [c.line, c.heredocNames] as const))('%s', (line, names) => {
    const found = heredocsFromLine(line);
    if (!Array.isArray(found)) throw new Error(found.error);
    expect(found.map((h) => h.name)).toEqual(none.has(line) ? [] : (names ?? []));
  });
});

describe('ChompHeredocContent', () => {
  it('strips leading tabs of every line', () => expect(chompHeredocContent(corpus.chomp.input)).toBe(corpus.chomp.expected));
  it('does not treat a lone CR as a line start', () => expect(chompHeredocContent('\ta\r\tb\n\tc')).toBe('a\r\tb\nc'));
});
