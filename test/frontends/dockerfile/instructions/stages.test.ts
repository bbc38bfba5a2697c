import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../../../grammars/dockerfile/index.js';
import { findStage } from '../../../../frontends/dockerfile/instructions/stages.js';
import { parseDockerfileInstructions, type ParseDockerfileResult } from '../../../../frontends/dockerfile/instructions/parse.js';
import { corpusDir } from '../../../support/corpus.js';

function parseText(text: string): ParseDockerfileResult {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  return parseDockerfileInstructions(parsed.ast);
}

function okFile(text: string) {
  const r = parseText(text);
  if (!r.ok) throw new Error(r.errors.map((e) => e.message).join('; '));
  return r;
}

interface CommentsCase {
  dockerfile: string;
  expected: { stage0DocComment: string; metaArgs: { key: string; docComment: string }[]; stage0Args: { key: string; docComment: string }[] };
}

const comments = (JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'instruction-errors.json'), 'utf8')) as { commentsDetection: CommentsCase }).commentsDetection;

describe('parseDockerfileInstructions', () => {
  it('splits meta ARGs and stages', () => {
    const { dockerfile } = okFile('ARG V=1\nARG BASE\nFROM alpine:$V AS Base\nRUN a\nARG X\nFROM base\nCOPY --from=base / /\n');
    expect(dockerfile.metaArgs.map((a) => a.args)).toEqual([[{ key: 'V', value: '1' }], [{ key: 'BASE' }]]);
    expect(dockerfile.stages.map((s) => [s.index, s.name, s.baseName, s.commands.map((c) => c.kind)])).toEqual([
      [0, 'base', 'alpine:$V', ['run', 'arg']],
      [1, undefined, 'base', ['copy']],
    ]);
    expect(dockerfile.stages[0]?.range.start.line).toBe(3);
    expect(findStage(dockerfile.stages, 'BASE')).toBe(0);
    expect(findStage(dockerfile.stages, 'nope')).toBe(-1);
  });

  it('reads description comments (BuildKit TestCommentsDetection)', () => {
    const { dockerfile } = okFile(comments.dockerfile);
    const [stage] = dockerfile.stages;
    expect(stage?.comment ?? '').toBe(comments.expected.stage0DocComment);
    expect(dockerfile.metaArgs.flatMap((a) => a.args.map((kv) => ({ key: kv.key, docComment: kv.comment ?? '' })))).toEqual(comments.expected.metaArgs);
    const stageArgs = stage?.commands.flatMap((c) => (c.kind === 'arg' ? c.args.map((kv) => ({ key: kv.key, docComment: kv.comment ?? '' })) : []));
    expect(stageArgs).toEqual(comments.expected.stage0Args);
  });

  it('rejects instructions before the first FROM, once', () => {
    const r = parseText('ARG A\nRUN x\nRUN y\nFROM a\n');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => [e.id, e.message, e.range.start.line])).toEqual([['dockerfile/no-stage', 'no build stage in current context', 2]]);
  });

  it('collects every instruction error in file order', () => {
    const r = parseText('FROM a\nRUNN x\nCOPY a\nWORKDIR\n');
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors.map((e) => [e.id, e.range.start.line])).toEqual([
        ['dockerfile/unknown-instruction', 2], ['dockerfile/missing-destination', 3], ['dockerfile/argument-count', 4],
      ]);
    }
  });

  it('returns the parse-time lint warnings', () => {
    const r = okFile('FROM a AS Foo\nMAINTAINER x\n');
    expect(r.warnings.map((w) => [w.id, w.range.start.line])).toEqual([['dockerfile/stage-name-casing', 1], ['dockerfile/maintainer-deprecated', 2]]);
  });

  it('accepts a file with only meta ARGs (no stage is an error of conversion)', () => {
    expect(okFile('ARG A\n').dockerfile).toMatchObject({ stages: [], metaArgs: [{ kind: 'arg' }] });
  });
});
