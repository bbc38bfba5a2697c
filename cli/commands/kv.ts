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
