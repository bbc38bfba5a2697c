import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { pb } from '../../../../compiler/index.js';

/** A fresh temporary directory per test, removed afterwards. */
export function tempDirs(): () => Promise<string> {
  const made: string[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
  });
  return async () => {
    const d = await mkdtemp(join(tmpdir(), 'kiln-fileop-'));
    made.push(d);
    return d;
  };
}

/** A copy action with dockerfile2llb's defaults for COPY, overridden by `over`. */
export function copyOf(src: string, dest: string, over: Partial<pb.FileActionCopy> = {}): { copy: pb.FileActionCopy } {
  return {
    copy: {
      src, dest, mode: -1, followSymlink: true, dirCopyContents: true, createDestPath: true,
      allowWildcard: true, allowEmptyWildcard: true, timestamp: -1, ...over,
    },
  };
}

/** The permission bits of a stat mode. */
export function perm(mode: number): number {
  return mode & 0o7777;
}
