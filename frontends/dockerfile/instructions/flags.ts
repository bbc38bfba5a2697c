import { didYouMean, failure, type Failure } from './failure.js';

/**
 * BuildKit's `BFlags`: the `--name[=value]` words before an instruction's
 * arguments. An instruction declares the flags it accepts, then `parse()`
 * checks the words against them; values stay unexpanded.
 *
 * @example
 * const flags = new BFlags(['--from=build', '--link']);
 * const from = flags.addString('from');
 * const link = flags.addBool('link');
 * flags.parse(); // undefined: from.value === 'build', link.value === 'true'
 */

/** What a flag holds: `--bool[=true|false]`, `--string=value`, or a repeatable `--strings=value`. */
export type FlagType = 'bool' | 'string' | 'strings';

/** One declared flag and, after `parse()`, its value. */
export class Flag {
  /** For bool and string flags: `"true"`/`"false"` or the string (the default until set). */
  value: string;
  /** For strings flags: every value in order. */
  readonly values: string[] = [];
  /** Where each value was written: indexes into the instruction's flag words (for error ranges). */
  readonly positions: number[] = [];
  used = false;

  constructor(readonly name: string, readonly type: FlagType, defaultValue: string) {
    this.value = defaultValue;
  }

  /** A bool flag's value. */
  isTrue(): boolean {
    return this.value === 'true';
  }
}

/** The flags of one instruction: declare with `add*`, then `parse()`. */
export class BFlags {
  readonly #args: readonly string[];
  readonly #flags = new Map<string, Flag>();
  readonly #used: string[] = [];
  #setupError: string | undefined;

  /** @param args the `--flag[=value]` words as written (`InstructionNode.flags`). */
  constructor(args: readonly string[]) {
    this.#args = args;
  }

  /** Declares `--name` / `--name=true|false`. */
  addBool(name: string, defaultValue = false): Flag {
    return this.#add(name, 'bool', defaultValue ? 'true' : 'false');
  }

  /** Declares `--name=value`. */
  addString(name: string, defaultValue = ''): Flag {
    return this.#add(name, 'string', defaultValue);
  }

  /** Declares a repeatable `--name=value`. */
  addStrings(name: string): Flag {
    return this.#add(name, 'strings', '');
  }

  #add(name: string, type: FlagType, defaultValue: string): Flag {
    const flag = new Flag(name, type, defaultValue);
    // A second declaration is a programming mistake; BuildKit reports it at Parse().
    if (this.#flags.has(name)) this.#setupError ??= `Duplicate flag defined: ${name}`;
    else this.#flags.set(name, flag);
    return flag;
  }

  /** Flag names that were set, in order of first use (BuildKit's `Used()`, made deterministic). */
  used(): string[] {
    return [...this.#used];
  }

  /** Checks the words against the declared flags and sets their values; the first mistake, or undefined. */
  parse(): Failure | undefined {
    if (this.#setupError !== undefined) return failure('flag-definition', `error setting up flags: ${this.#setupError}`);
    for (const [index, arg] of this.#args.entries()) {
      const problem = this.#parseOne(arg, index);
      if (problem === 'stop') return undefined;
      if (problem) return { ...problem, flagIndex: index };
    }
    return undefined;
  }

  /** One flag word; `stop` at the end-of-options marker. */
  #parseOne(arg: string, index: number): Failure | 'stop' | undefined {
    // POSIX end-of-options marker: what follows is not a flag.
    if (arg === '--') return 'stop';
    if (!arg.startsWith('--')) return failure('flag-syntax', `arg should start with -- : ${arg}`);
    const eq = arg.indexOf('=');
    const hasValue = eq >= 0;
    const flagName = hasValue ? arg.slice(0, eq) : arg;
    const value = hasValue ? arg.slice(eq + 1) : '';
    const name = flagName.slice(2);
    const flag = this.#flags.get(name);
    if (!flag) return failure('unknown-flag', `unknown flag: ${flagName}`, didYouMean(name, [...this.#flags.keys()], true));
    if (flag.used && flag.type !== 'strings') return failure('duplicate-flag', `duplicate flag specified: ${flagName}`);
    if (!flag.used) this.#used.push(name);
    flag.used = true;
    flag.positions.push(index);
    return setValue(flag, flagName, hasValue, value);
  }
}

function setValue(flag: Flag, flagName: string, hasValue: boolean, value: string): Failure | undefined {
  switch (flag.type) {
    case 'bool':
      // `--flag=` is an error; `--flag` alone means true.
      if (hasValue && value === '') return failure('flag-missing-value', `missing a value on flag: ${flagName}`);
      switch (value.toLowerCase()) {
        case 'true': case '':
          flag.value = 'true';
          return undefined;
        case 'false':
          flag.value = 'false';
          return undefined;
        default:
          return failure('invalid-flag-value', `expecting boolean value for flag ${flagName}, not: ${value}`);
      }
    case 'string':
      if (!hasValue) return failure('flag-missing-value', `missing a value on flag: ${flagName}`);
      flag.value = value;
      return undefined;
    case 'strings':
      if (!hasValue) return failure('flag-missing-value', `missing a value on flag: ${flagName}`);
      flag.values.push(value);
      return undefined;
  }
}
