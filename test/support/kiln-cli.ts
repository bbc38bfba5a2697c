import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from './corpus.js';

/** The executable `npm run compile` makes: the bundled CLI users run. */
export const kilnBin = join(repoRoot, 'dist/bundle/kiln.js');

/** Runs the built `kiln` executable (dist/, made by `npm run compile`). */
export function runKiln(args: readonly string[], input?: Uint8Array | string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [kilnBin, ...args], { input, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
