import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pidAlive } from '../../runtime/cache/pid.js';

// Each running build leaves `run/builds/<pid>` for as long as it runs. A marker whose process
// is gone is a build that was killed: only then is the root worth recovering (stale mounts,
// unfinished snapshots), which needs a try at the exclusive lock, a process start of its own.

const dirOf = (root: string): string => join(root, 'run', 'builds');

/** Whether a build was killed on this root since the last recovery. */
export function killedBuildsLeftMarks(root: string): boolean {
  try {
    return readdirSync(dirOf(root)).some((name) => !pidAlive(Number(name)));
  } catch {
    return false;
  }
}

/** Forgets the marks of builds that are gone (after a recovery). */
export function clearDeadMarks(root: string): void {
  try {
    for (const name of readdirSync(dirOf(root))) if (!pidAlive(Number(name))) rmSync(join(dirOf(root), name), { force: true });
  } catch {
    // no marks
  }
}

/** Marks this process's build as running; the returned function removes the mark. */
export function markRunning(root: string): () => void {
  mkdirSync(dirOf(root), { recursive: true });
  const file = join(dirOf(root), String(process.pid));
  writeFileSync(file, '');
  return () => rmSync(file, { force: true });
}
