import { envFrom } from '../../../../frontends/dockerfile/shell/index.js';

describe('envFrom', () => {
  it('reads KEY=value strings; a later key wins and a bare KEY is set to ""', () => {
    const env = envFrom(['A=1', 'B', 'C=x=y', 'A=2', 'D=']);
    expect([env.get('A'), env.get('B'), env.get('C'), env.get('D'), env.get('E')]).toEqual(['2', '', 'x=y', '', undefined]);
  });

  it('reads records and Maps', () => {
    expect(envFrom({ A: '1' }).get('A')).toBe('1');
    expect(envFrom(new Map([['A', '1']])).get('A')).toBe('1');
  });

  it('is case-sensitive and sees only own keys', () => {
    const env = envFrom({ Path: '/bin' });
    expect(env.get('PATH')).toBeUndefined();
    expect(env.get('constructor')).toBeUndefined();
    expect(env.get('toString')).toBeUndefined();
  });

  it('copies its source', () => {
    const source: Record<string, string> = { A: '1' };
    const env = envFrom(source);
    source.A = '2';
    expect(env.get('A')).toBe('1');
    expect(Object.isFrozen(env)).toBe(true);
  });
});
