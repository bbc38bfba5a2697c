import { dumpAst } from '../../../frontends/dockerfile/ast-dump.js';
import type { SourceRange } from '../../../grammars/diagnostic.js';
import type { DockerfileAst, ParseResult } from '../../../grammars/dockerfile/index.js';
import { parseDockerfile } from '../../../grammars/dockerfile/index.js';

// Behaviour beyond the corpus: ranges, BuildKit quirks, diagnostics.
function ast(text: string): DockerfileAst {
  const result = parseDockerfile(text);
  if (!result.ok) throw new Error(result.errors.map((e) => `${e.id}: ${e.message}`).join('; '));
  return result.ast;
}
const r = (line: number, from: number, toLine: number, to: number): SourceRange => ({ start: { line, character: from }, end: { line: toLine, character: to } });
const failure = (result: ParseResult): [string, SourceRange][] => (result.ok ? [] : result.errors.map((e) => [e.id, e.range]));

describe('ranges', () => {
  it('covers the instruction from its keyword to the end of its last line', () => {
    const [from, run] = ast('  FROM  a AS b\nRUN --mount=type=cache,target=/x \\\n  echo hi\n').instructions;
    expect(from!.range).toEqual(r(1, 2, 1, 14));
    expect(from!.argRanges).toEqual([r(1, 8, 1, 9), r(1, 10, 1, 12), r(1, 13, 1, 14)]);
    expect(run!.range).toEqual(r(2, 0, 3, 9));
    expect(run!.flagRanges).toEqual([r(2, 4, 2, 32)]);
    expect(run!.argRanges).toEqual([r(3, 2, 3, 9)]);
  });

  it('spans continuation lines for an argument that crosses them', () => {
    const [run] = ast('RUN a \\\n# dropped\n  b\n').instructions;
    expect(run!.args).toEqual(['a   b']);
    expect(run!.argRanges).toEqual([r(1, 4, 3, 3)]);
  });

  it('locates JSON items, ENV triples and ONBUILD parts', () => {
    const [cmd, env, legacy, onbuild] = ast('CMD ["a",  "b"]\nENV a=1 b="2 3"\nENV x y z\nONBUILD COPY --chown=me x y\n').instructions;
    expect(cmd!.argRanges).toEqual([r(1, 5, 1, 8), r(1, 11, 1, 14)]);
    expect(env!.argRanges).toEqual([r(2, 4, 2, 5), r(2, 6, 2, 7), r(2, 5, 2, 6), r(2, 8, 2, 9), r(2, 10, 2, 15), r(2, 9, 2, 10)]);
    expect(legacy!.args).toEqual(['x', 'y z', '']);
    expect(legacy!.argRanges).toEqual([r(3, 4, 3, 5), r(3, 6, 3, 9), r(3, 5, 3, 5)]);
    expect(onbuild!.nested!.range).toEqual(r(4, 8, 4, 27));
    expect(onbuild!.nested!.flagRanges).toEqual([r(4, 13, 4, 23)]);
    expect(onbuild!.nested!.argRanges).toEqual([r(4, 24, 4, 25), r(4, 26, 4, 27)]);
  });

  it('does not count a byte-order mark or CRs', () => {
    const [from, run] = ast('\ufeffFROM a\r\nRUN b \\\r\n c\r\n').instructions;
    expect(from!.range).toEqual(r(1, 0, 1, 6));
    expect(run!.args).toEqual(['b  c']);
    expect(run!.range).toEqual(r(2, 0, 3, 2));
  });

  it('starts an instruction at a line holding only the escape, as BuildKit counts lines', () => {
    const [, from] = ast('FROM a\n  \\\nFROM b\n').instructions;
    expect(from!.range).toEqual(r(2, 2, 3, 6));
    expect(from!.argRanges).toEqual([r(3, 5, 3, 6)]);
  });
});

describe('BuildKit parsing rules', () => {
  it('keeps comments before an instruction, indented ones with their #, and resets on a bare #', () => {
    const { instructions } = ast('# a\n  # b\n\nFROM x\n# c\n#\n# d\nRUN y\nRUN z\n');
    expect(instructions.map((n) => n.prevComment)).toEqual([['a', '# b'], ['d'], []]);
  });

  it('switches the escape character with a directive, for continuations and words', () => {
    const { instructions, escapeToken } = ast('# escape=`\nFROM a\nENV GOPATH `\n\\go\nRUN echo \\\n');
    expect(escapeToken).toBe('`');
    expect(instructions.map((n) => n.args)).toEqual([['a'], ['GOPATH', '\\go', ''], ['echo \\']]);
  });

  it('honours directives only at the top of the file', () => {
    const { directives, escapeToken, instructions } = ast('# c\n# escape=`\nFROM a\n');
    expect(escapeToken).toBe('\\');
    expect(directives.escape).toBeUndefined();
    expect(instructions[0]!.prevComment).toEqual(['c', 'escape=`']);
  });

  it('reads case-insensitive keywords and keeps unknown ones, as BuildKit parseIgnore', () => {
    const parsed = ast('from a\nRun b\nFROBNICATE --x c d\n');
    expect(parsed.instructions.map((n) => [n.keyword, n.keywordText])).toEqual([['from', 'from'], ['run', 'Run'], ['frobnicate', 'FROBNICATE']]);
    expect(dumpAst(parsed)).toBe('(from "a")\n(run "b")\n(frobnicate ["--x"] "")\n');
  });

  it('rebuilds flags byte by byte as BuildKit does', () => {
    const [copy] = ast('COPY --chown=é:"a b" x y\n').instructions;
    expect(copy!.flags).toEqual(['--chown=Ã©:a b']);
    expect(copy!.args).toEqual(['x', 'y']);
  });

  it('falls back to the shell form for invalid JSON, and reads HEALTHCHECK types', () => {
    const parsed = ast('CMD ["a" "b"]\nHEALTHCHECK NONE\nHEALTHCHECK --retries=3 CMD ["x"]\nVOLUME [ "/a", "/b" ]\n');
    expect(dumpAst(parsed)).toBe('(cmd "[\\"a\\" \\"b\\"]")\n(healthcheck "NONE")\n(healthcheck ["--retries=3"] "CMD" "x")\n(volume "/a" "/b")\n');
    expect(parsed.instructions.map((n) => n.json)).toEqual([false, false, true, true]);
  });

  it('dumps ONBUILD with its nested instruction', () => {
    expect(dumpAst(ast('ONBUILD --x RUN --mount=a ["b"]\n'))).toBe('(onbuild ["--x"] (run ["--mount=a"] "b"))\n');
  });

  it('keeps the escape character of heredoc delimiters `\\` whatever the directive', () => {
    const [, run] = ast('# escape=`\nFROM a\nRUN <<E\\"O\\"F\nx\nE"O"F\n').instructions;
    expect(run!.heredocs.map((h) => [h.name, h.expand])).toEqual([['E"O"F', true]]);
  });
});

describe('diagnostics', () => {
  it('rejects a repeated directive and an invalid escape', () => {
    expect(failure(parseDockerfile('# syntax=a\n# syntax=b\nFROM x\n'))).toEqual([['dockerfile/duplicate-directive', r(2, 0, 2, 10)]]);
    expect(failure(parseDockerfile('  # escape=x\nFROM a\n'))).toEqual([['dockerfile/invalid-escape-token', r(1, 2, 1, 12)]]);
  });

  it('points at the word without =', () => {
    expect(failure(parseDockerfile('FROM a\nLABEL a=b c d=e\n'))).toEqual([['dockerfile/missing-equals', r(2, 10, 2, 11)]]);
  });

  it('reports an error inside ONBUILD where it is', () => {
    expect(failure(parseDockerfile('ONBUILD CMD ["a", 1]\n'))).toEqual([['dockerfile/json-not-string-array', r(1, 12, 1, 20)]]);
  });

  it('rejects a file of blank lines, or comments', () => {
    expect(failure(parseDockerfile(''))).toEqual([['dockerfile/empty-file', r(1, 0, 1, 0)]]);
    expect(failure(parseDockerfile('# a\n\n  \n'))).toEqual([['dockerfile/empty-file', r(1, 0, 3, 2)]]);
  });

  it('reports an over-long line even where BuildKit would first see what its stop caused', () => {
    const long = 'a'.repeat(70000);
    expect(failure(parseDockerfile(`# c\n${long}\n`))).toEqual([['dockerfile/line-too-long', r(2, 0, 2, 70000)]]);
    expect(failure(parseDockerfile(`FROM a\nRUN <<EOF\n${long}\nEOF\n`))).toEqual([['dockerfile/line-too-long', r(3, 0, 3, 70000)]]);
    expect(failure(parseDockerfile(`FROM a\nCMD ["a", 1]\n${long}\n`))).toEqual([['dockerfile/json-not-string-array', r(2, 4, 2, 12)]]);
  });

  it('reports an unterminated heredoc from its instruction to the end of the file', () => {
    expect(failure(parseDockerfile('FROM a\nCOPY <<A <<B /d\nx\nA\ny\n'))).toEqual([['dockerfile/unterminated-heredoc', r(2, 0, 5, 1)]]);
  });
});
