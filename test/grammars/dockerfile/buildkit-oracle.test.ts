import { readFileSync } from 'node:fs';
import { dumpAst } from '../../../frontends/dockerfile/ast-dump.js';
import { parseDockerfile } from '../../../grammars/dockerfile/index.js';

// Differential cases: random Dockerfiles (directives, BOM, CRLF, continuations,
// heredocs, flags, broken JSON, mutated corpus files) with what BuildKit v0.24's
// own parser, built from its Go source, returned for each. See the fixture's description.
interface OracleCase {
  input: string;
  ok: boolean;
  error?: string;
  dump?: string;
  lines?: [number, number][];
  warningLines?: number[];
  heredocs?: [string, number, boolean, boolean, string][][];
  prevComment?: string[][];
  escape?: string;
  syntax?: [string, string];
  check?: string;
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/buildkit-oracle.json', import.meta.url), 'utf8')) as { cases: OracleCase[] };

describe('agrees with BuildKit on random Dockerfiles', () => {
  it.each(fixture.cases.map((c, i) => [i, c] as const))('case %i', (_i, c) => {
    const result = parseDockerfile(c.input);
    if (!c.ok) {
      expect(result.ok || result.errors.map((e) => e.id)).toEqual([c.error]);
      return;
    }
    if (!result.ok) throw new Error(result.errors.map((e) => e.id).join());
    const { ast } = result;
    expect(dumpAst(ast)).toBe(c.dump);
    expect(ast.instructions.map((n) => [n.range.start.line, n.range.end.line])).toEqual(c.lines);
    expect(ast.warnings.map((w) => w.range.start.line)).toEqual(c.warningLines ?? []);
    const heredocs = ast.instructions.map((n) => n.heredocs.map((h) => [h.name, h.fileDescriptor, h.expand, h.chomp, h.content]));
    expect(heredocs).toEqual(c.heredocs ?? ast.instructions.map(() => []));
    expect(ast.instructions.map((n) => n.prevComment)).toEqual(c.prevComment ?? ast.instructions.map(() => []));
    expect(ast.escapeToken).toBe(c.escape ?? '\\');
    expect(ast.directives.syntax === undefined ? undefined : [ast.directives.syntax, ast.directives.syntaxCmdline]).toEqual(c.syntax);
    expect(ast.directives.check).toBe(c.check);
  });
});
