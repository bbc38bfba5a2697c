import { goMatch, ModeSet } from '../../../../runtime/ops/file/index.js';

describe('ModeSet (chmod modes as dchapes-mode parses them with umask 0)', () => {
  test.each([
    ['0755', 0o600, false, 0o755],
    ['4755', 0o600, false, 0o4755],
    ['u+x', 0o644, false, 0o744],
    ['+x', 0o644, false, 0o755],
    ['go-w', 0o666, false, 0o644],
    ['a=rX', 0o700, true, 0o555],
    ['a=rX', 0o644, false, 0o444],
    ['a=rX', 0o744, false, 0o555],
    ['u=rwx,g=rx,o=', 0o000, false, 0o750],
    ['g=u', 0o740, false, 0o770],
    ['o+t', 0o755, true, 0o755], // t only counts for u/g/a or no who
    ['+t', 0o755, true, 0o1755],
    ['ug+s', 0o755, false, 0o6755],
    ['u-w,+r', 0o200, false, 0o444],
  ])('%s on %o (dir: %s) is %o', (mode, from, isDir, want) => {
    expect(ModeSet.parse(mode).apply(from, isDir)).toBe(want);
  });

  test.each(['', 'u', 'u+q', '9', '0x1', '17777', 'u+x,'])('%j is bad-mode', (mode) => {
    expect(() => ModeSet.parse(mode)).toThrow(expect.objectContaining({ code: 'file/bad-mode' }));
  });
});

describe('goMatch (Go filepath.Match)', () => {
  test.each([
    ['*.conf', 'x.conf', true],
    ['*', 'a/b', false],
    ['a/*/c', 'a/b/c', true],
    ['?', '/', false],
    ['[a-c]x', 'bx', true],
    ['[^a-c]x', 'bx', false],
    ['\\*', '*', true],
    ['[', 'a', false], // malformed: no match (fsutil ignores ErrBadPattern)
    ['a*b*c', 'aXbYc', true],
    ['with space.txt', 'with space.txt', true],
  ])('%j vs %j is %s', (pattern, name, want) => {
    expect(goMatch(pattern, name)).toBe(want);
  });
});
