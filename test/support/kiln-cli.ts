import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

/** The executable `npm run compile` makes, as users run it: the launcher of the start-up snapshot and the bundled CLI. */
export const kilnBin = join(repoRoot, 'dist/bundle/kiln');

/** Runs the built `kiln` executable (dist/, made by `npm run compile`). */
export function runKiln(args: readonly string[], input?: Uint8Array | string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(kilnBin, [...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
