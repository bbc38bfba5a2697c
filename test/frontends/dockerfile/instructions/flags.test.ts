import { BFlags } from '../../../../frontends/dockerfile/instructions/flags.js';

// BuildKit's bflag_test.go, case by case.
describe('BFlags', () => {
  it('accepts no flags and a bare --', () => {
    expect(new BFlags([]).parse()).toBeUndefined();
    expect(new BFlags(['--']).parse()).toBeUndefined();
  });

  it('keeps defaults when unused', () => {
    const bf = new BFlags([]);
    const str = bf.addString('str1', 'HI');
    const bool = bf.addBool('bool1');
    expect(bf.parse()).toBeUndefined();
    expect(str.value).toBe('HI');
    expect(bool.isTrue()).toBe(false);
    expect(str.used || bool.used).toBe(false);
    expect(bf.used()).toEqual([]);
  });

  it('requires a value for string flags, allows an empty one', () => {
    const missing = new BFlags(['--str1']);
    missing.addString('str1', 'HI');
    expect(missing.parse()).toMatchObject({ slug: 'flag-missing-value', message: 'missing a value on flag: --str1' });

    const empty = new BFlags(['--str1=']);
    const s = empty.addString('str1', 'HI');
    expect(empty.parse()).toBeUndefined();
    expect(s.value).toBe('');

    const bye = new BFlags(['--str1=BYE']);
    const b = bye.addString('str1', 'HI');
    expect(bye.parse()).toBeUndefined();
    expect(b.value).toBe('BYE');
  });

  it.each([
    [['--bool1'], true], [['--bool1=true'], true], [['--bool1=TRUE'], true], [['--bool1=false'], false], [['--bool1=FALSE'], false],
  ])('bool %j is %s', (args, expected) => {
    const bf = new BFlags(args);
    const flag = bf.addBool('bool1');
    expect(bf.parse()).toBeUndefined();
    expect(flag.isTrue()).toBe(expected);
  });

  it('rejects bad bool values', () => {
    const bad = new BFlags(['--bool1=false1']);
    bad.addBool('bool1');
    expect(bad.parse()?.message).toBe('expecting boolean value for flag --bool1, not: false1');
    const empty = new BFlags(['--bool1=']);
    empty.addBool('bool1');
    expect(empty.parse()?.message).toBe('missing a value on flag: --bool1');
  });

  it('rejects duplicates except for repeatable flags', () => {
    const dup = new BFlags(['--str1=a', '--str1=b']);
    dup.addString('str1');
    expect(dup.parse()).toMatchObject({ slug: 'duplicate-flag', message: 'duplicate flag specified: --str1' });

    const many = new BFlags(['--exclude=a', '--exclude=b']);
    const ex = many.addStrings('exclude');
    expect(many.parse()).toBeUndefined();
    expect(ex.values).toEqual(['a', 'b']);
    expect(many.used()).toEqual(['exclude']);
  });

  it('rejects unknown flags with a suggestion and words without --', () => {
    const bf = new BFlags(['--mont=type=cache']);
    bf.addStrings('mount');
    expect(bf.parse()).toEqual({ failed: true, slug: 'unknown-flag', message: 'unknown flag: --mont', hint: 'did you mean mount?', flagIndex: 0 });

    const far = new BFlags(['--zzzzzz']);
    far.addBool('link');
    expect(far.parse()).toEqual({ failed: true, slug: 'unknown-flag', message: 'unknown flag: --zzzzzz', flagIndex: 0 });

    const dash = new BFlags(['-x']);
    expect(dash.parse()?.message).toBe('arg should start with -- : -x');
  });

  it('stops at -- and reports flags defined twice', () => {
    const stop = new BFlags(['--', '--nope']);
    expect(stop.parse()).toBeUndefined();
    const twice = new BFlags([]);
    twice.addString('a');
    twice.addBool('a');
    expect(twice.parse()?.message).toBe('error setting up flags: Duplicate flag defined: a');
  });
});
