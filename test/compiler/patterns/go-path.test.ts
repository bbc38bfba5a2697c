import { cleanPath, compareNames, comparePaths, dirOf, trimSpace } from '../../../compiler/patterns/go-path.js';
import { filepathMatch } from '../../../compiler/patterns/glob-syntax.js';
import { PatternError } from '../../../compiler/patterns/index.js';
import { thrownBy } from '../../support/errors.js';
import { CLEANS, DIRS, FILEPATH_MATCHES } from './upstream-cases.js';

describe('Go path helpers', () => {
  it.each(CLEANS)('Clean(%j) = %j', (path, want) => {
    expect(cleanPath(path)).toBe(want);
    expect(cleanPath(want)).toBe(want);
  });

  it.each(DIRS)('Dir(%j) = %j', (path, want) => {
    expect(dirOf(path)).toBe(want);
  });

  it('TrimSpace trims Unicode White_Space (NEL, NBSP, ideographic space) but not a BOM', () => {
    expect(trimSpace('\t\n\v\f\r \u0085\u00a0a b\u3000\u2028')).toBe('a b');
    expect(trimSpace('\ufeffa\ufeff')).toBe('\ufeffa\ufeff');
  });

  it('orders names by UTF-8 bytes and paths depth first', () => {
    expect(['b', 'a-b', '\uffff', 'a', '\u{10000}'].sort(compareNames)).toEqual(['a', 'a-b', 'b', '\uffff', '\u{10000}']);
    expect(['a-b', 'a/b', 'a', 'a/b/c', 'a.b'].sort(comparePaths)).toEqual(['a', 'a/b', 'a/b/c', 'a-b', 'a.b']);
  });
});

describe('Go filepath.Match (the syntax check patternmatcher runs)', () => {
  it.each(FILEPATH_MATCHES)('Match(%j, %j) = %j', (pattern, name, want) => {
    if (want === 'bad-pattern') expect(thrownBy(PatternError, () => filepathMatch(pattern, name)).code).toBe('bad-pattern');
    else expect(filepathMatch(pattern, name)).toBe(want);
  });

  it('only checks what it reads: a bad class after a failed chunk without a star passes', () => {
    expect(filepathMatch('x*[', '.')).toBe(false);
    expect(filepathMatch('a*\\', '.')).toBe(false);
    expect(() => filepathMatch('*[', '.')).toThrow(PatternError);
  });
});
