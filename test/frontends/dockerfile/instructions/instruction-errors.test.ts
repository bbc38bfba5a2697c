import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../../../grammars/dockerfile/index.js';
import type { InstructionNode } from '../../../../grammars/dockerfile/ast.js';
import { parseInstruction } from '../../../../frontends/dockerfile/instructions/parse.js';
import { corpusDir } from '../../../support/corpus.js';
import { err, node, ok } from './nodes.js';

interface ErrorCase {
  name: string;
  dockerfile: string;
  expectedError: string;
  match: 'equal' | 'contains';
}
interface SyntheticCase {
  name: string;
  ast: { value: string; original: string; next: string[] };
  expectedError: string;
  match: 'equal' | 'contains';
}
interface Corpus {
  cases: ErrorCase[];
  syntheticAstCases: SyntheticCase[];
  healthcheckCmd: { next: string[]; expectedTest: string[] };
}

const corpus = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'instruction-errors.json'), 'utf8')) as Corpus;

function firstNode(text: string): InstructionNode {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) throw new Error(`parser rejected ${JSON.stringify(text)}: ${parsed.errors.map((e) => e.message).join('; ')}`);
  const [first] = parsed.ast.instructions;
  if (!first) throw new Error('no instruction');
  return first;
}

function expectMessage(actual: string, expected: string, match: 'equal' | 'contains'): void {
  if (match === 'equal') expect(actual).toBe(expected);
  else expect(actual).toContain(expected);
}

describe('instruction errors (BuildKit parse_test.go corpus)', () => {
  it.each(corpus.cases.map((c) => [`${c.name} (${JSON.stringify(c.dockerfile)})`, c] as const))('%s', (_name, c) => {
    const d = err(parseInstruction(firstNode(c.dockerfile)));
    expectMessage(d.message, c.expectedError, c.match);
    expect(d.severity).toBe('error');
    expect(d.id).toMatch(/^dockerfile\/[a-z-]+$/);
    expect(d.range.start.line).toBe(1);
  });

  it.each(corpus.syntheticAstCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const n = node(c.ast.value.toUpperCase(), c.ast.next, { original: c.ast.original });
    expectMessage(err(parseInstruction(n)).message, c.expectedError, c.match);
  });

  it('HEALTHCHECK CMD in shell form is CMD-SHELL (TestHealthCheckCmd)', () => {
    const hc = ok(parseInstruction(node('HEALTHCHECK', corpus.healthcheckCmd.next)), 'healthcheck');
    expect(hc.test).toEqual(corpus.healthcheckCmd.expectedTest);
  });
});

describe('unknown instructions', () => {
  it('suggest the closest keyword, in the case it was written, on the keyword', () => {
    const d = err(parseInstruction(firstNode('RUNN echo hi')));
    expect(d).toEqual({
      id: 'dockerfile/unknown-instruction',
      severity: 'error',
      message: 'unknown instruction: RUNN',
      hint: 'did you mean RUN?',
      range: { start: { line: 1, character: 0 }, end: { line: 1, character: 4 } },
    });
    expect(err(parseInstruction(firstNode('\n  copyy a b'))).hint).toBe('did you mean copy?');
    expect(err(parseInstruction(firstNode('Entrypint x'))).hint).toBe('did you mean entrypoint?');
    expect(err(parseInstruction(firstNode('FOO bar'))).hint).toBe('did you mean FROM?');
    expect(err(parseInstruction(firstNode('XYZZY bar'))).hint).toBeUndefined();
  });

  it('place the keyword range on the keyword line', () => {
    const d = err(parseInstruction(firstNode('# c\n\n  WRKDIR /x')));
    expect(d.range).toEqual({ start: { line: 3, character: 2 }, end: { line: 3, character: 8 } });
    expect(d.hint).toBe('did you mean WORKDIR?');
  });
});

describe('flag errors', () => {
  it('are placed on the flag word', () => {
    const d = err(parseInstruction(firstNode('COPY --link --chmod=644 --frm=build a b')));
    expect(d).toMatchObject({ id: 'dockerfile/unknown-flag', message: 'unknown flag: --frm', hint: 'did you mean from?' });
    expect(d.range).toEqual({ start: { line: 1, character: 24 }, end: { line: 1, character: 35 } });
  });

  it('report a mount mistake on its --mount', () => {
    const d = err(parseInstruction(firstNode('RUN --mount=type=cache,target=/a --mount=type=cahce,target=/b make')));
    expect(d).toMatchObject({ id: 'dockerfile/invalid-mount', message: 'unsupported mount type "cahce"', hint: 'did you mean cache?' });
    expect(d.range.start.character).toBe(33);
  });
});
