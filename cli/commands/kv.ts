import { UsageError } from '../errors.js';

/** `type=local,dest=DIR` and friends, as buildctl writes them (`--output`, `--cache-to`, `--secret`…). */
export function parseKv(spec: string, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of spec.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} ${JSON.stringify(spec)}: expected key=value[,key=value]`);
    out.set(part.slice(0, eq).trim(), part.slice(eq + 1));
  }
  return out;
}

/** Repeated `NAME=VALUE` flags (`--local`, `--opt`), in order, the last of a name winning. */
export function parsePairs(list: readonly string[] | undefined, flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid ${flag} ${JSON.stringify(item)}: expected NAME=VALUE`);
    out.set(item.slice(0, eq), item.slice(eq + 1));
  }
  return out;
}

/** `--build-arg NAME=VALUE`, or `NAME` alone to take it from the environment (skipped when unset), as docker build. */
export function parseBuildArgs(list: readonly string[] | undefined): { [name: string]: string } {
  const out: { [name: string]: string } = {};
  for (const item of list ?? []) {
    const eq = item.indexOf('=');
    if (eq === 0) throw new UsageError(`invalid --build-arg ${JSON.stringify(item)}: expected NAME=VALUE`);
    if (eq < 0) {
      const v = process.env[item];
      if (v !== undefined) out[item] = v;
    } else out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}
