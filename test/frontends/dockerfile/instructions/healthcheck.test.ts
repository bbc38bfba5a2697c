import { isFailure } from '../../../../frontends/dockerfile/instructions/failure.js';
import { parseGoDuration } from '../../../../frontends/dockerfile/instructions/go-duration.js';
import { parseInstruction } from '../../../../frontends/dockerfile/instructions/parse.js';
import { err, node, ok } from './nodes.js';

const S = 1e9;

describe('parseGoDuration (Go time.ParseDuration)', () => {
  it.each([
    ['0', 0], ['+0', 0], ['5s', 5 * S], ['30s', 30 * S], ['1m30s', 90 * S], ['1h', 3600 * S], ['1.5s', 1.5 * S], ['.5s', 0.5 * S],
    ['1.s', S], ['300ms', 0.3 * S], ['10us', 10_000], ['10µs', 10_000], ['10μs', 10_000], ['7ns', 7], ['-2s', -2 * S],
    ['1h2m3s4ms5us6ns', 3723004005006], ['0.000000001s', 1], ['9223372036854775807ns', Number(2n ** 63n - 1n)],
  ])('%s is %d ns', (text, nanos) => {
    expect(parseGoDuration(text)).toBe(nanos);
  });

  it.each([
    ['', 'time: invalid duration ""'],
    ['s', 'time: invalid duration "s"'],
    ['.s', 'time: invalid duration ".s"'],
    ['1', 'time: missing unit in duration "1"'],
    ['1.5', 'time: missing unit in duration "1.5"'],
    ['3x', 'time: unknown unit "x" in duration "3x"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['3000000h', 'time: invalid duration "3000000h"'],
  ])('%j fails: %s', (text, message) => {
    const r = parseGoDuration(text);
    expect(isFailure(r) && r.message).toBe(message);
  });
});

describe('HEALTHCHECK', () => {
  it('turns shell form into CMD-SHELL (BuildKit TestHealthCheckCmd)', () => {
    const hc = ok(parseInstruction(node('HEALTHCHECK', ['CMD', 'hello', 'world'])), 'healthcheck');
    expect(hc.test).toEqual(['CMD-SHELL', 'hello world']);
    expect(hc).toMatchObject({ interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 });
  });

  it('keeps exec form as CMD and reads every flag', () => {
    const n = node('HEALTHCHECK', ['cmd', 'curl', '-f', 'http://x/'], {
      json: true, flags: ['--interval=30s', '--timeout=1m', '--start-period=5s', '--start-interval=100ms', '--retries=3'],
    });
    const hc = ok(parseInstruction(n), 'healthcheck');
    expect(hc).toMatchObject({ test: ['CMD', 'curl', '-f', 'http://x/'], interval: 30 * S, timeout: 60 * S, startPeriod: 5 * S, startInterval: 0.1 * S, retries: 3 });
  });

  it('accepts NONE without arguments, ignoring flags as BuildKit does', () => {
    expect(ok(parseInstruction(node('HEALTHCHECK', ['none'], { flags: ['--bogus'] })), 'healthcheck').test).toEqual(['NONE']);
    expect(err(parseInstruction(node('HEALTHCHECK', ['NONE', 'x']))).message).toBe('HEALTHCHECK NONE takes no arguments');
  });

  it.each([
    [[], ['CMD', 'x'], 'HEALTHCHECK requires at least one argument', []],
    [['--interval=1ns'], ['CMD', 'x'], 'Interval "interval" cannot be less than 1ms', ['x']],
    [['--timeout=-1s'], ['CMD', 'x'], 'Interval "timeout" cannot be less than 1ms', ['x']],
    [['--start-period=5'], ['CMD', 'x'], 'time: missing unit in duration "5"', ['x']],
    [['--retries=-1'], ['CMD', 'x'], '--retries cannot be negative (-1)', ['x']],
    [['--retries=x'], ['CMD', 'x'], 'strconv.ParseInt: parsing "x": invalid syntax', ['x']],
    [['--retries=3000000000'], ['CMD', 'x'], 'strconv.ParseInt: parsing "3000000000": value out of range', ['x']],
    [[], ['RUN', 'x'], 'Unknown type "RUN" in HEALTHCHECK (try CMD)', ['x']],
    [[], ['CMD'], 'Missing command after HEALTHCHECK CMD', ['x']],
    [['--intervl=1s'], ['CMD', 'x'], 'unknown flag: --intervl', ['x']],
  ])('flags %j args %j → %s', (flags, args, message, _x) => {
    const r = err(parseInstruction(node('HEALTHCHECK', message.includes('at least one') ? [] : args, { flags })));
    expect(r.message).toBe(message);
    expect(r.id).toMatch(/^dockerfile\//);
  });

  it('accepts zero durations as "not set"', () => {
    expect(ok(parseInstruction(node('HEALTHCHECK', ['CMD', 'x'], { flags: ['--interval=0s'] })), 'healthcheck').interval).toBe(0);
  });
});
