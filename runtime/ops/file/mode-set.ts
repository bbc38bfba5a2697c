import { FileOpError } from './file-op-error.js';

// Bits as in BSD's setmode.c, which tonistiigi/dchapes-mode (fsutil's `ModeStr`) translates.
const S_ISUID = 0o4000;
const S_ISGID = 0o2000;
const S_ISTXT = 0o1000;
const RWXU = 0o700;
const RWXG = 0o070;
const RWXO = 0o007;
const STANDARD = S_ISUID | S_ISGID | RWXU | RWXG | RWXO;
const CLEAR = 1;
const SET = 2;
const GBITS = 4;
const OBITS = 8;
const UBITS = 16;

interface BitCmd {
  readonly cmd: string;
  readonly cmd2: number;
  readonly bits: number;
}

/**
 * A parsed `chmod` mode, octal (`0755`) or symbolic (`u+x,go-w`, `a=rX`), as COPY
 * `--chmod` accepts it. BuildKit parses with a umask of 0, so `+x` means `a+x`.
 *
 * @example
 * parseModeSet('u+x').apply(0o644, false) // 0o744
 * parseModeSet('a=rX').apply(0o700, true) // 0o555
 */
export class ModeSet {
  readonly #cmds: readonly BitCmd[];

  private constructor(cmds: readonly BitCmd[]) {
    this.#cmds = cmds;
  }

  /** Parses `s`; throws a FileOpError `bad-mode` for what `mode.ParseWithUmask(s, 0)` rejects. */
  static parse(s: string): ModeSet {
    const bad = (): never => {
      throw new FileOpError('bad-mode', `invalid mode ${JSON.stringify(s)}: invalid syntax`);
    };
    if (s === '') bad();
    if (s[0]! >= '0' && s[0]! <= '9') {
      if (!/^[0-7]+$/.test(s)) bad();
      const v = parseInt(s, 8);
      if (v > 0o7777 || (v & ~(STANDARD | S_ISTXT)) !== 0) bad();
      const cmds: BitCmd[] = [];
      addCmd(cmds, '=', STANDARD | S_ISTXT, v, 0o7777);
      return new ModeSet(cmds);
    }
    const mask = 0xffff; // ^umask with umask 0
    const cmds: BitCmd[] = [];
    let i = 0;
    let equalOpDone = false;
    for (;;) {
      let who = 0;
      for (; i < s.length && 'augo'.includes(s[i]!); i++) {
        who |= s[i] === 'a' ? STANDARD : s[i] === 'u' ? S_ISUID | RWXU : s[i] === 'g' ? S_ISGID | RWXG : RWXO;
      }
      if (i >= s.length) bad();
      for (;;) {
        const op = s[i++]!;
        if (op === '=') equalOpDone = false;
        else if (op !== '+' && op !== '-') bad();
        who &= ~S_ISTXT;
        let perm = 0;
        let permX = 0;
        for (;; i++) {
          const b = s[i] ?? '';
          if (b === 'r') perm |= 0o444;
          else if (b === 'w') perm |= 0o222;
          else if (b === 'x') perm |= 0o111;
          else if (b === 'X') {
            if (op !== '-') permX = 0o111;
            else perm |= 0o111;
          } else if (b === 's') {
            if (who === 0 || (who & ~RWXO) !== 0) perm |= S_ISUID | S_ISGID;
          } else if (b === 't') {
            if (who === 0 || (who & ~RWXO) !== 0) {
              who |= S_ISTXT;
              perm |= S_ISTXT;
            }
          } else if (b === 'u' || b === 'g' || b === 'o') {
            if (perm !== 0) addCmd(cmds, op, who, perm, mask);
            perm = 0;
            if (op === '=') equalOpDone = true;
            if (permX !== 0) addCmd(cmds, 'X', who, permX, mask);
            permX = 0;
            addCmd(cmds, b, who, op.charCodeAt(0), mask);
          } else {
            if (perm !== 0 || (op === '=' && !equalOpDone)) {
              if (op === '=') equalOpDone = true;
              addCmd(cmds, op, who, perm, mask);
            }
            if (permX !== 0) addCmd(cmds, 'X', who, permX, mask);
            break;
          }
        }
        if (i >= s.length) return new ModeSet(cmds);
        if (s[i] === ',') break;
      }
      i++;
    }
  }

  /** The permission bits (with setuid/setgid/sticky) `perm` becomes; `isDir` matters for `X`. */
  apply(perm: number, isDir: boolean): number {
    const old = perm & 0o7777;
    let m = old;
    const common = (c: BitCmd, value: number): void => {
      if (c.cmd2 & CLEAR) {
        const clr = c.cmd2 & SET ? RWXO : value;
        if (c.cmd2 & UBITS) m &= ~((clr << 6) & c.bits);
        if (c.cmd2 & GBITS) m &= ~((clr << 3) & c.bits);
        if (c.cmd2 & OBITS) m &= ~(clr & c.bits);
      }
      if (c.cmd2 & SET) {
        if (c.cmd2 & UBITS) m |= (value << 6) & c.bits;
        if (c.cmd2 & GBITS) m |= (value << 3) & c.bits;
        if (c.cmd2 & OBITS) m |= value & c.bits;
      }
    };
    for (const c of this.#cmds) {
      if (c.cmd === 'u') common(c, (m & RWXU) >> 6);
      else if (c.cmd === 'g') common(c, (m & RWXG) >> 3);
      else if (c.cmd === 'o') common(c, m & RWXO);
      else if (c.cmd === '+') m |= c.bits;
      else if (c.cmd === '-') m &= ~c.bits;
      else if (c.cmd === 'X' && ((old & 0o111) !== 0 || isDir)) m |= c.bits;
    }
    return m & 0o7777;
  }
}

function addCmd(cmds: BitCmd[], op: string, who: number, oparg: number, mask: number): void {
  switch (op) {
    case '=':
      cmds.push({ cmd: '-', cmd2: 0, bits: who !== 0 ? who : STANDARD });
      cmds.push({ cmd: '+', cmd2: 0, bits: who !== 0 ? who & oparg : mask & oparg });
      return;
    case '+': case '-': case 'X':
      cmds.push({ cmd: op, cmd2: 0, bits: who !== 0 ? who & oparg : mask & oparg });
      return;
    default: {
      // u, g, o: copy one class's bits to the classes in `who`; oparg is the operator.
      let cmd2 = 0;
      let bits = mask;
      if (who !== 0) {
        if (who & 0o400) cmd2 |= UBITS;
        if (who & 0o040) cmd2 |= GBITS;
        if (who & 0o004) cmd2 |= OBITS;
        bits = 0xffff;
      } else {
        cmd2 = UBITS | GBITS | OBITS;
      }
      const o = String.fromCharCode(oparg);
      cmd2 |= o === '+' ? SET : o === '-' ? CLEAR : SET | CLEAR;
      cmds.push({ cmd: op, cmd2, bits });
    }
  }
}
