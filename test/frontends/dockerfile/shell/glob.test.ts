import { Glob, ShellPatternError } from '../../../../frontends/dockerfile/shell/glob.js';
import { envFrom, ShellLex } from '../../../../frontends/dockerfile/shell/index.js';
import { thrownBy } from '../../../support/errors.js';

/** The matched text, or undefined. */
function matched(pattern: string, text: string, opts: { anchored: boolean; greedy: boolean }): string | undefined {
  const chars = Array.from(text);
  const m = Glob.compile(pattern).match(chars, 0, opts);
  return m && chars.slice(m.start, m.end).join('');
}

describe('Glob', () => {
  const prefix = { anchored: true, greedy: false };
  const longest = { anchored: true, greedy: true };
  const search = { anchored: false, greedy: true };

  it('matches the shortest or the longest prefix', () => {
    expect(matched('*x', 'axbx', prefix)).toBe('ax');
    expect(matched('*x', 'axbx', longest)).toBe('axbx');
    expect(matched('a?', 'abc', prefix)).toBe('ab');
    expect(matched('b', 'abc', prefix)).toBeUndefined();
  });

  it('finds the leftmost match when unanchored', () => {
    expect(matched('b*', 'abcb', search)).toBe('bcb');
    expect(matched('c?', 'abcb', search)).toBe('cb');
    expect(matched('', 'abc', search)).toBe('');
    expect(matched('z', 'abc', search)).toBeUndefined();
  });

  it('treats brackets and regex syntax literally (BuildKit has no bracket expressions)', () => {
    expect(matched('[a]', 'a', longest)).toBeUndefined();
    expect(matched('[a]', '[a]x', longest)).toBe('[a]');
    expect(matched('(.+)|^$', '(.+)|^$', longest)).toBe('(.+)|^$');
  });

  it('reads \\*, \\? and \\\\ as literals and drops the backslash of \\} and \\/', () => {
    expect(matched('\\*\\?\\\\', '*?\\', longest)).toBe('*?\\');
    expect(matched('\\}\\/', '}/', longest)).toBe('}/');
  });

  it('rejects any other escape with BuildKit\'s wording', () => {
    expect(thrownBy(ShellPatternError, () => Glob.compile('a\\b')).message).toBe("invalid escape '\\b'");
    expect(thrownBy(ShellPatternError, () => Glob.compile('a\\')).message).toBe("invalid escape '\\\uFFFD'");
  });

  it('never matches a newline with a wildcard, as Go\'s `.`', () => {
    expect(matched('*', 'ab\ncd', longest)).toBe('ab');
    expect(matched('a?c', 'a\nc', longest)).toBeUndefined();
    // JavaScript's `.` would also stop at \r and U+2028; Go's does not.
    expect(matched('a?c?e', 'a\rc\u2028e', longest)).toBe('a\rc\u2028e');
  });

  it('counts a character outside the BMP as one', () => {
    expect(matched('?x', '😀x', longest)).toBe('😀x');
  });

  it('skips a byte order mark at the start of the pattern, as Go\'s text/scanner', () => {
    expect(matched('\uFEFFa', 'ab', longest)).toBe('a');
  });

  it('takes linear time where a backtracking RegExp takes minutes', () => {
    const started = Date.now();
    const lex = new ShellLex();
    const env = envFrom({ A: 'a'.repeat(5000) });
    expect(lex.processWord('${A#*a*a*a*a*a*b}', env)).toHaveLength(5000);
    expect(lex.processWord('${A//*a*a*a*b/x}', env)).toHaveLength(5000);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('pattern substitutions', () => {
  const lex = new ShellLex();
  const env = envFrom({ V: 'abcabc', S: 'x\\*y', R: '[$0]' });

  it('replaces every match like Go\'s ReplaceAllString', () => {
    // An empty match right after a match is not replaced again.
    expect(lex.processWord('${V//*/-}', env)).toBe('-');
    expect(lex.processWord('${V//b/-}', env)).toBe('a-ca-c');
    // `$0` in the replacement is the match (Go template syntax) for // only.
    expect(lex.processWord('${V//b/$R}', env)).toBe('a[b]ca[b]c');
    expect(lex.processWord('${V/b/$R}', env)).toBe('a[$0]cabc');
  });

  it('trims by patterns that come from variables', () => {
    expect(lex.processWord('${S#$S}', envFrom({ S: 'x\\*y' }))).toBe('x\\*y');
    expect(lex.processWord('${V%$P}', envFrom({ V: 'a*', P: '\\*' }))).toBe('a');
  });
});
