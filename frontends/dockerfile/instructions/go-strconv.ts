import { failure, type Failure } from './failure.js';

/**
 * The few Go `strconv`/`fmt` behaviours BuildKit's error messages and option
 * values depend on: `%q` quoting, `ParseBool`, `ParseInt`/`ParseUint` with a
 * base and bit size. Kept literal so messages read exactly like BuildKit's.
 */

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

const shortEscapes: Readonly<Record<string, string>> = {
  '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\',
};

/** A string quoted as Go's `%q` (`strconv.Quote`) prints it. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const short = shortEscapes[ch];
    if (short !== undefined) {
      out += short;
      continue;
    }
    if (printable.test(ch)) {
      out += ch;
      continue;
    }
    const cp = ch.codePointAt(0) ?? 0;
    if (cp < 0x80) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return `${out}"`;
}

/** Go's `strconv.ParseBool`: `1 t T TRUE true True` and their false forms; undefined otherwise. */
export function goParseBool(s: string): boolean | undefined {
  switch (s) {
    case '1': case 't': case 'T': case 'TRUE': case 'true': case 'True':
      return true;
    case '0': case 'f': case 'F': case 'FALSE': case 'false': case 'False':
      return false;
    default:
      return undefined;
  }
}

const digitSets: Readonly<Record<number, RegExp>> = { 8: /^[0-7]+$/, 10: /^[0-9]+$/, 16: /^[0-9a-fA-F]+$/ };

function numError(fn: string, s: string, reason: string): Failure {
  return failure('invalid-number', `strconv.${fn}: parsing ${goQuote(s)}: ${reason}`);
}

/** Go's `strconv.ParseUint(s, base, bitSize)` for an explicit base (no prefixes, no underscores, no sign). */
export function goParseUint(s: string, base: 8 | 10 | 16, bitSize: 32 | 64): number | Failure {
  const digits = digitSets[base];
  if (s === '' || !digits?.test(s)) return numError('ParseUint', s, 'invalid syntax');
  const value = BigInt.asUintN(128, parseBig(s, base));
  if (value > (1n << BigInt(bitSize)) - 1n) return numError('ParseUint', s, 'value out of range');
  return Number(value);
}

/** Go's `strconv.ParseInt(s, 10, bitSize)`: an optional sign and decimal digits. */
export function goParseInt(s: string, bitSize: 32 | 64): number | Failure {
  const m = /^([+-]?)([0-9]+)$/.exec(s);
  if (!m?.[2]) return numError('ParseInt', s, 'invalid syntax');
  const magnitude = parseBig(m[2], 10);
  const value = m[1] === '-' ? -magnitude : magnitude;
  const limit = 1n << BigInt(bitSize - 1);
  if (value >= limit || value < -limit) return numError('ParseInt', s, 'value out of range');
  return Number(value);
}

function parseBig(digits: string, base: number): bigint {
  let v = 0n;
  for (const d of digits) v = v * BigInt(base) + BigInt(parseInt(d, base));
  return v;
}

/**
 * Go's `strconv.ParseFloat(s, 64)` for decimal notation (`1`, `1.5`, `.5`, `1e3`,
 * `+2`, `inf`, `nan`); hexadecimal floats are not accepted (a gap no Dockerfile hits).
 */
export function goParseFloat(s: string): number | undefined {
  const t = s.replace(/^[+-]/, '');
  if (/^(inf|infinity)$/i.test(t)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  if (!/^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/.test(s)) return undefined;
  return Number(s);
}

const BINARY_UNITS: Readonly<Record<string, number>> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

/**
 * `github.com/docker/go-units.RAMInBytes`, BuildKit's parser for tmpfs `size=`:
 * a number with an optional binary unit (`k`, `m`, `g`, `t`, `p`, optionally
 * followed by `b` or `ib`, any case; a space may separate them); undefined when invalid.
 */
export function ramInBytes(size: string): number | undefined {
  let sep = -1;
  for (let i = size.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(size[i] ?? '')) {
      sep = i;
      break;
    }
  }
  if (sep < 0) return undefined;
  const num = size[sep] === ' ' ? size.slice(0, sep) : size.slice(0, sep + 1);
  const suffix = size.slice(sep + 1).toLowerCase();
  const value = goParseFloat(num);
  // Go's ParseFloat fails on overflow (`1e999`) where Number gives Infinity.
  if (value === undefined || !Number.isFinite(value) || value < 0) return undefined;
  if (suffix === '') return truncateToInt64(value);
  if (suffix.length > 3) return undefined;
  if (suffix === 'b') return truncateToInt64(value);
  const multiplier = BINARY_UNITS[suffix[0] ?? ''];
  if (multiplier === undefined) return undefined;
  if (suffix.length === 2 && suffix[1] !== 'b') return undefined;
  if (suffix.length === 3 && suffix.slice(1) !== 'ib') return undefined;
  return truncateToInt64(value * multiplier);
}

// Go's int64(float64) conversion; past int64 Go's result is implementation-defined: clamp.
function truncateToInt64(v: number): number {
  return Math.min(Math.trunc(v), 2 ** 63 - 1);
}
