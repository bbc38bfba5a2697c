import { goQuote } from '../../../compiler/index.js';

// BuildKit writes some image-history lines with Go's fmt verbs (%q, %v); these
// reproduce the outputs kiln needs so images match BuildKit's.

/** `%q` of a []string: `["a" "b"]`. */
export function goQuoteList(list: readonly string[]): string {
  return `[${list.map(goQuote).join(' ')}]`;
}

/** `%v` of a []string: `[a b]`. */
export function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

/** `%q` of an int: a quoted rune literal, as Go prints it (`'\x03'`, `'A'`). */
export function goQuoteRune(n: number): string {
  const special: { [c: number]: string } = { 7: '\\a', 8: '\\b', 12: '\\f', 10: '\\n', 13: '\\r', 9: '\\t', 11: '\\v', 39: "\\'", 92: '\\\\' };
  if (special[n]) return `'${special[n]}'`;
  if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return "'\\ufffd'";
  const ch = String.fromCodePoint(n);
  if (/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) return `'${ch}'`;
  if (n < 0x80) return `'\\x${n.toString(16).padStart(2, '0')}'`;
  if (n < 0x10000) return `'\\u${n.toString(16).padStart(4, '0')}'`;
  return `'\\U${n.toString(16).padStart(8, '0')}'`;
}

/** Go's `time.Duration.String()` for a duration in nanoseconds (`1m30s`, `500ms`, `0s`). */
export function goDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(ns);
  let out: string;
  if (u < 1e9) {
    const [unit, scale] = u < 1e3 ? ['ns', 1] : u < 1e6 ? ['µs', 1e3] : ['ms', 1e6];
    out = `${trimFraction(u / scale)}${unit}`;
  } else {
    const h = Math.floor(u / 3600e9);
    u -= h * 3600e9;
    const m = Math.floor(u / 60e9);
    u -= m * 60e9;
    out = `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${trimFraction(u / 1e9)}s`;
  }
  return neg ? `-${out}` : out;
}

function trimFraction(x: number): string {
  return x.toFixed(9).replace(/\.?0+$/, '');
}
