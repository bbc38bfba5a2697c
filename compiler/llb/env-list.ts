/**
 * An immutable, ordered environment: BuildKit's `EnvList` semantics.
 *
 * Setting a key again moves it to the end (the newest setting decides both
 * value and position), which is the order ExecOp's `Meta.env` is written in.
 */
export class EnvList {
  static readonly empty = new EnvList([]);
  readonly #entries: readonly (readonly [string, string])[];
  /** Built on first lookup: key → value (lists are immutable, so it never goes stale). */
  #index: Map<string, string> | undefined;

  private constructor(entries: readonly (readonly [string, string])[]) {
    this.#entries = entries;
  }

  /** Builds a list from `KEY=value` strings (an image config's `Env`). */
  static fromArray(env: readonly string[]): EnvList {
    let list = EnvList.empty;
    for (const kv of env) {
      const eq = kv.indexOf('=');
      list = eq < 0 ? list.set(kv, '') : list.set(kv.slice(0, eq), kv.slice(eq + 1));
    }
    return list;
  }

  set(key: string, value: string): EnvList {
    return new EnvList([...this.#entries.filter(([k]) => k !== key), [key, value]]);
  }

  /** Sets a key only when it is not set yet. */
  setDefault(key: string, value: string): EnvList {
    return this.get(key) === undefined ? this.set(key, value) : this;
  }

  delete(key: string): EnvList {
    return new EnvList(this.#entries.filter(([k]) => k !== key));
  }

  get(key: string): string | undefined {
    this.#index ??= new Map(this.#entries);
    return this.#index.get(key);
  }

  keys(): string[] {
    return this.#entries.map(([k]) => k);
  }

  /** `KEY=value` strings in order. */
  toArray(): string[] {
    return this.#entries.map(([k, v]) => `${k}=${v}`);
  }
}
