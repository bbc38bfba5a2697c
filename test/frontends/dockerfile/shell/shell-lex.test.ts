import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { envFrom, ShellExpansionError, ShellLex } from '../../../../frontends/dockerfile/shell/index.js';
import type { ShellExpansionErrorCode, ShellLexOptions } from '../../../../frontends/dockerfile/shell/index.js';
import { repoRoot } from '../../../support/corpus.js';
import { thrownBy } from '../../../support/errors.js';

interface OracleCase {
  readonly word: string;
  readonly escape?: string;
  readonly options?: ShellLexOptions;
  readonly result?: string;
  readonly words?: readonly string[];
  readonly matched?: readonly string[];
  readonly unmatched?: readonly string[];
  readonly error?: string;
  readonly buildkitError?: string;
}

const oracle = JSON.parse(readFileSync(join(repoRoot, 'test/frontends/dockerfile/shell/fixtures/buildkit-lex-oracle.json'), 'utf8')) as {
  readonly env: Readonly<Record<string, string>>;
  readonly cases: readonly OracleCase[];
};
const sorted = (set: ReadonlySet<string>) => [...set].sort();

describe('ShellLex against BuildKit outputs (fixtures/buildkit-lex-oracle.json)', () => {
  const env = envFrom(oracle.env);
  const ok = oracle.cases.filter((c) => c.error === undefined);
  const failing = oracle.cases.filter((c) => c.error !== undefined);

  // Titles are built here: jest's it.each would read `$#` and `%%` in them as placeholders.
  const title = (c: OracleCase) => `${JSON.stringify(c.word)}${c.escape ? ` (escape ${c.escape})` : ''}${c.options ? ` ${JSON.stringify(c.options)}` : ''}`;

  for (const c of ok) {
    it(title(c), () => {
      const lex = new ShellLex(c.escape ?? '\\', c.options);
      const res = lex.processWordWithMatches(c.word, env);
      expect(res.result).toBe(c.result);
      expect(sorted(res.matched)).toEqual(c.matched);
      expect(sorted(res.unmatched)).toEqual(c.unmatched);
      expect(lex.processWords(c.word, env)).toEqual(c.words);
    });
  }

  for (const c of failing) {
    it(`${title(c)} fails with BuildKit's message`, () => {
      const lex = new ShellLex(c.escape ?? '\\', c.options);
      const err = thrownBy(ShellExpansionError, () => lex.processWord(c.word, env));
      expect(err.message).toBe(c.error);
      thrownBy(ShellExpansionError, () => lex.processWords(c.word, env));
    });
  }
});

describe('ShellExpansionError', () => {
  const env = envFrom({ A: 'a', E: '', V: 'xxyy' });
  const lex = new ShellLex();

  // Offsets are UTF-8 bytes (`안` is 3), pointing at the quote, the `$` or the modifier.
  it.each<[string, ShellExpansionErrorCode, number]>([
    ["ab'cd", 'shell/unterminated-quote', 2],
    ['x"ab', 'shell/unterminated-quote', 1],
    ['안${', 'shell/missing-brace', 3],
    ['x${A', 'shell/missing-brace', 1],
    ['${A:-"x}', 'shell/missing-brace', 0],
    ['${A/x', 'shell/missing-slash', 0],
    ['a${A:-${}}', 'shell/bad-substitution', 6],
    ['${:-x}', 'shell/bad-substitution', 0],
    ['x${A=1}', 'shell/unsupported-modifier', 4],
    ['${A:=1}', 'shell/unsupported-modifier', 3],
    ['${A:#x}', 'shell/unsupported-modifier', 3],
    ['${#A}', 'shell/unsupported-modifier', 3],
    ['z${X?}', 'shell/variable-unset', 1],
    ['${X:?no $A}', 'shell/variable-unset', 0],
    ['${E:?}', 'shell/variable-empty', 0],
    ['${V#\\x}', 'shell/invalid-pattern', 0],
    ['${V%%a\\x}', 'shell/invalid-pattern', 0],
    ['${V//\\x/y}', 'shell/invalid-pattern', 0],
  ])('%j: %s at byte %d', (word, code, offset) => {
    const err = thrownBy(ShellExpansionError, () => lex.processWord(word, env));
    expect(err.code).toBe(code);
    expect(err.offset).toBe(offset);
    expect(err.word).toBe(word);
    expect(err.message).toBe(`failed to process ${JSON.stringify(word)}: ${err.detail}`);
  });

  it('names the variable of a mandatory-variable failure', () => {
    const err = thrownBy(ShellExpansionError, () => lex.processWord('${X:?set X first}', env));
    expect(err.variable).toBe('X');
    expect(err.detail).toBe('X: set X first');
  });

  it('keeps the failure a missing brace hides as its cause', () => {
    const err = thrownBy(ShellExpansionError, () => lex.processWord("${A:-'x}", env));
    expect(err.code).toBe('shell/missing-brace');
    expect(err.cause).toBeInstanceOf(ShellExpansionError);
    expect((err.cause as ShellExpansionError).code).toBe('shell/unterminated-quote');
    expect((err.cause as ShellExpansionError).offset).toBe(5);
  });

  it('reports the reversed pattern for %, as BuildKit does', () => {
    expect(thrownBy(ShellExpansionError, () => lex.processWord('${V%%a\\x}', env)).detail).toBe('invalid pattern (\\xa) in substitution: invalid escape \'\\x\'');
  });
});

describe('ShellLex', () => {
  const env = envFrom({ A: 'a', AB: 'a b', E: '' });

  it('splits words at unquoted whitespace, including whitespace from variables', () => {
    const lex = new ShellLex();
    expect(lex.processWords('x${AB}y "q $AB" \'$AB\'', env)).toEqual(['xa', 'by', 'q a b', '$AB']);
    expect(lex.processWord('x${AB}y "q $AB"', env)).toBe('xa by q a b');
  });

  // BuildKit quirk (lex.go shares one words buffer between nested scans): the
  // partial word before a `${VAR<op>…}` is lost. EXPOSE goes through this path.
  it('drops the partial word before an operator substitution, like BuildKit', () => {
    const lex = new ShellLex();
    expect(lex.processWords('a${X:-b}c d', env)).toEqual(['bc', 'd']);
    expect(lex.processWords('a ${X:-b}c d', env)).toEqual(['a', 'bc', 'd']);
    expect(lex.processWord('a${X:-b}c d', env)).toBe('abc d');
  });

  it('reports the variables of each call separately', () => {
    const lex = new ShellLex();
    const first = lex.processWordWithMatches('$A $X', env);
    const second = lex.processWordWithMatches('${E:-$Y}', env);
    expect([sorted(first.matched), sorted(first.unmatched)]).toEqual([['A'], ['X']]);
    expect([sorted(second.matched), sorted(second.unmatched)]).toEqual([['E'], ['Y']]);
  });

  it('is immutable; with() derives a lexer with other options', () => {
    const lex = new ShellLex('`');
    const raw = lex.with({ rawQuotes: true, skipUnsetEnv: true });
    expect(Object.isFrozen(lex.settings)).toBe(true);
    expect(raw.settings).toEqual({ escapeToken: '`', rawQuotes: true, rawEscapes: false, skipUnsetEnv: true, skipProcessQuotes: false });
    expect(lex.processWord('"$X"', env)).toBe('');
    expect(raw.processWord('"$X"', env)).toBe('"$X"');
    expect(raw.processWord('a`$A', env)).toBe('a$A');
  });

  it('uses the escape token it was given', () => {
    expect(new ShellLex('`').processWord('c:\\dir\\$A `$A', env)).toBe('c:\\dir\\a $A');
    expect(new ShellLex('\\').processWord('c:\\dir\\$A `$A', env)).toBe('c:dir$A `a');
  });
});
