import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../../../grammars/dockerfile/index.js';
import { parseInstruction } from '../../../../frontends/dockerfile/instructions/parse.js';
import { corpusDir } from '../../../support/corpus.js';
import { ok } from './nodes.js';

interface Corpus {
  copy: { dockerfile: string; expected: { DestPath: string; SourcePaths: string[]; SourceContents: { Path: string; Data: string; Expand: boolean }[] } }[];
  run: { dockerfile: string; shell: boolean; command: string[]; files: { Name: string; Data: string; Chomp: boolean }[] | null }[];
}

const corpus = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'heredoc-instructions.json'), 'utf8')) as Corpus;

function parseFirst(text: string): ReturnType<typeof parseInstruction> {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const [first] = parsed.ast.instructions;
  if (!first) throw new Error('no instruction');
  return parseInstruction(first);
}

describe('heredocs in instructions (BuildKit parse_heredoc_test.go corpus)', () => {
  it.each(corpus.copy.map((c) => [c.dockerfile, c] as const))('COPY %j', (_text, c) => {
    const copy = ok(parseFirst(c.dockerfile), 'copy');
    expect({ destPath: copy.destPath, sourcePaths: copy.sourcePaths, sourceContents: copy.sourceContents }).toEqual({
      destPath: c.expected.DestPath,
      sourcePaths: c.expected.SourcePaths,
      sourceContents: c.expected.SourceContents.map((s) => ({ path: s.Path, data: s.Data, expand: s.Expand })),
    });
  });

  it.each(corpus.run.map((c) => [c.dockerfile, c] as const))('RUN %j', (_text, c) => {
    const run = ok(parseFirst(c.dockerfile), 'run');
    expect(run.prependShell).toBe(c.shell);
    expect(run.cmdLine).toEqual(c.command);
    expect(run.files.map((f) => ({ Name: f.name, Data: f.data, Chomp: f.chomp }))).toEqual(c.files ?? []);
  });

  it('keeps a quoted RUN heredoc unexpanded and ADD heredoc sources like COPY', () => {
    const run = ok(parseFirst("RUN <<'EOF'\necho $HOME\nEOF"), 'run');
    expect(run.files).toEqual([{ name: 'EOF', data: 'echo $HOME\n', expand: false, chomp: false }]);
    const add = ok(parseFirst('ADD <<-EOF /x\n\t\tindented\nEOF'), 'add');
    expect(add.sourceContents).toEqual([{ path: 'EOF', data: 'indented\n', expand: true }]);
  });
});
