import fc from 'fast-check';
import type { SourceRange } from '../../../grammars/diagnostic.js';
import { parseDockerfile } from '../../../grammars/dockerfile/index.js';

// Property: on one-line instructions, every argument range selects the
// argument's own text in the file (the raw JSON literal for the exec form).
const keyword = fc.constantFrom('FROM', 'RUN', 'CMD', 'ENV', 'LABEL', 'ARG', 'COPY', 'ADD', 'EXPOSE', 'USER', 'WORKDIR', 'VOLUME', 'HEALTHCHECK', 'HEALTHCHECK CMD', 'ONBUILD RUN', 'ONBUILD ENV', 'ENTRYPOINT', 'SHELL');
const piece = fc.constantFrom('a', 'b=c', 'k="v w"', "'x y'", '--f=1', '--', '["a", "b c"]', '[ "\\u00e9" ]', 'é', '\u00a0', '\\ ', '$X', '=', 'x=');
const gap = fc.constantFrom(' ', '  ', '\t');
const line = fc.tuple(fc.constantFrom('', ' ', '\t'), keyword, fc.array(fc.tuple(gap, piece), { maxLength: 5 })).map(([indent, kw, parts]) => indent + kw + parts.map(([g, p]) => g + p).join(''));

function slice(lines: readonly string[], r: SourceRange): string {
  return (lines[r.start.line - 1] ?? '').slice(r.start.character, r.end.character);
}

it('argument ranges select the argument text', () => {
  fc.assert(
    fc.property(fc.array(line, { minLength: 1, maxLength: 6 }), (body) => {
      const text = `${body.join('\n')}\n`;
      const result = parseDockerfile(text);
      if (!result.ok) return;
      const lines = text.split('\n');
      for (const top of result.ast.instructions) {
        if (top.range.start.line !== top.range.end.line) continue; // a continuation joined lines
        const node = top.nested ?? top;
        expect(node.argRanges).toHaveLength(node.args.length);
        node.args.forEach((arg, i) => {
          const got = slice(lines, node.argRanges[i]!);
          expect(node.json && !(node.keyword === 'healthcheck' && i === 0) ? JSON.parse(got) : got).toBe(arg);
        });
        expect(slice(lines, top.range)).toBe((lines[top.range.start.line - 1] ?? '').trimStart());
        expect(slice(lines, top.range).startsWith(top.keywordText)).toBe(true);
      }
    }),
    { numRuns: 500 },
  );
});
