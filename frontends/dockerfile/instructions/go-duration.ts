import { failure, type Failure } from './failure.js';
import { goQuote } from './go-strconv.js';

/**
 * Go's `time.ParseDuration`, which BuildKit applies to HEALTHCHECK's
 * `--interval`, `--timeout`, `--start-period` and `--start-interval`: a signed
 * sequence of decimal numbers with units (`1h30m`, `1.5s`, `300ms`, `-2us`).
 */

const NANOS_PER_UNIT: ReadonlyMap<string, bigint> = new Map([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // MICRO SIGN
  ['\u03bcs', 1_000n], // GREEK SMALL LETTER MU
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const LIMIT = 1n << 63n;

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';

/** A duration in nanoseconds, or Go's error (`time: invalid duration "x"`, `time: missing unit …`, `time: unknown unit …`). */
export function parseGoDuration(input: string): number | Failure {
  const invalid = failure('invalid-duration', `time: invalid duration ${goQuote(input)}`);
  let s = input;
  let negative = false;
  if (s.startsWith('-') || s.startsWith('+')) {
    negative = s.startsWith('-');
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return invalid;

  let total = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid;
    let i = 0;
    let whole = 0n;
    while (isDigit(s[i])) {
      whole = whole * 10n + BigInt(Number(s[i]));
      if (whole > LIMIT) return invalid;
      i++;
    }
    const hasWhole = i > 0;
    let fraction = 0n;
    let scale = 1n;
    let hasFraction = false;
    if (s[i] === '.') {
      i++;
      const start = i;
      let overflow = false;
      while (isDigit(s[i])) {
        // Go stops accumulating precision once the fraction would overflow, but keeps consuming digits.
        const next = fraction * 10n + BigInt(Number(s[i]));
        if (!overflow && next <= LIMIT) {
          fraction = next;
          scale *= 10n;
        } else overflow = true;
        i++;
      }
      hasFraction = i > start;
    }
    if (!hasWhole && !hasFraction) return invalid;
    s = s.slice(i);

    let u = 0;
    while (u < s.length && !(s[u] === '.' || isDigit(s[u]))) u++;
    if (u === 0) return failure('invalid-duration', `time: missing unit in duration ${goQuote(input)}`);
    const unitName = s.slice(0, u);
    s = s.slice(u);
    const unit = NANOS_PER_UNIT.get(unitName);
    if (unit === undefined) return failure('invalid-duration', `time: unknown unit ${goQuote(unitName)} in duration ${goQuote(input)}`);

    if (whole > LIMIT / unit) return invalid;
    let value = whole * unit;
    if (fraction > 0n) {
      // Go computes the fractional part in float64: uint64(float64(f) * (float64(unit) / scale)).
      value += BigInt(Math.trunc(Number(fraction) * (Number(unit) / Number(scale))));
      if (value > LIMIT) return invalid;
    }
    total += value;
    if (total > LIMIT) return invalid;
  }
  if (negative) return -Number(total);
  if (total > LIMIT - 1n) return invalid;
  return Number(total);
}

