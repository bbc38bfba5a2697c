import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dumpAst } from '../../../frontends/dockerfile/ast-dump.js';
import type { DockerfileAst, ParseResult } from '../../../grammars/dockerfile/index.js';
import { parseDockerfile } from '../../../grammars/dockerfile/index.js';
import { corpusDir } from '../../support/corpus.js';

// BuildKit's parser_test.go over the verbatim testfiles: TestParseCases,
// TestParseErrorCases, TestParseIncludesLineNumbers.
const root = corpusDir('buildkit-dockerfile-parser');
const read = (...parts: string[]): string => readFileSync(join(root, ...parts), 'utf8');

function ast(result: ParseResult): DockerfileAst {
  if (!result.ok) throw new Error(`parse failed: ${result.errors.map((e) => `${e.id} ${e.message}`).join('; ')}`);
  return result.ast;
}

describe('testfiles: Dockerfile → Node.Dump() equals result', () => {
  const cases = readdirSync(join(root, 'testfiles')).sort();
  it('has the 33 positive cases', () => expect(cases).toHaveLength(33));
  it.each(cases)('%s', (name) => {
    expect(dumpAst(ast(parseDockerfile(read('testfiles', name, 'Dockerfile'))))).toBe(read('testfiles', name, 'result'));
  });
});

describe('testfiles-negative: Parse fails', () => {
  const expected: Record<string, { id: string; line: number }> = {
    empty_dockerfile: { id: 'dockerfile/empty-file', line: 1 },
    only_comments: { id: 'dockerfile/empty-file', line: 1 },
    env_no_value: { id: 'dockerfile/missing-value', line: 3 },
    'shykes-nested-json': { id: 'dockerfile/json-not-string-array', line: 1 },
  };
  const cases = readdirSync(join(root, 'testfiles-negative')).sort();
  it('has the 4 negative cases', () => expect(cases.sort()).toEqual(Object.keys(expected).sort()));
  it.each(cases)('%s', (name) => {
    const result = parseDockerfile(read('testfiles-negative', name, 'Dockerfile'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.id)).toEqual([expected[name]!.id]);
    expect(result.errors[0]!.range.start.line).toBe(expected[name]!.line);
  });

  it('ranges point at the offending text', () => {
    const env = parseDockerfile(read('testfiles-negative', 'env_no_value', 'Dockerfile'));
    const nested = parseDockerfile(read('testfiles-negative', 'shykes-nested-json', 'Dockerfile'));
    expect(env.ok || env.errors[0]!.range).toEqual({ start: { line: 3, character: 4 }, end: { line: 3, character: 8 } });
    expect(nested.ok || nested.errors[0]!.range).toEqual({ start: { line: 1, character: 4 }, end: { line: 1, character: 33 } });
  });
});

describe('testfile-line: line numbers', () => {
  const misc = JSON.parse(read('extracted', 'parser-misc.json')) as { lineNumbers: { astStartLine: number; astEndLine: number; children: number[][] } };
  it('gives each instruction its first and last line', () => {
    const { instructions } = ast(parseDockerfile(read('testfile-line', 'Dockerfile')));
    expect(instructions.map((n) => [n.range.start.line, n.range.end.line])).toEqual(misc.lineNumbers.children);
    expect(instructions[0]!.range.start.line).toBe(misc.lineNumbers.astStartLine);
    expect(instructions.at(-1)!.range.end.line).toBe(misc.lineNumbers.astEndLine);
  });
});
