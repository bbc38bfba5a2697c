import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bootId } from '../../runtime/cache/boot-id.js';
import { lockRoot, rootPaths, StateDb } from '../../runtime/cache/index.js';
import { pidAlive } from '../../runtime/cache/pid.js';
import { createSnapshotter } from '../../runtime/snapshot/create-snapshotter.js';
import { syncFileSystem } from '../../runtime/snapshot/mount.js';
import { OverlaySnapshotter } from '../../runtime/snapshot/overlay-snapshotter.js';
import { clearDeadMarks, killedBuildsLeftMarks } from './build-markers.js';

// A root needs recovering after a build was killed (stale mounts, unfinished snapshots) and after
// the machine went down under one (its records may point at snapshots that never reached the
// disk: they are written without syncs until the build's end). `<root>/boot` holds the boot id
// the root was last recovered or created under, so the usual build only reads one small file.

const bootFile = (root: string): string => join(root, 'boot');

/** Whether a build was killed, or the machine restarted, since the root was last recovered. */
export function needsRecovery(root: string): boolean {
  if (killedBuildsLeftMarks(root)) return true;
  let seen: string | undefined;
  try {
    seen = readFileSync(bootFile(root), 'utf8');
  } catch {
    // none yet: a new root (nothing to recover), or one from before this file
  }
  if (seen === bootId()) return false;
  if (seen === undefined && !existsSync(rootPaths(root).db)) {
    try {
      mkdirSync(root, { recursive: true });
      writeFileSync(bootFile(root), bootId());
    } catch {
      // written by the next command that can
    }
    return false;
  }
  return true;
}

/**
 * Recovers the root, but only when no other kiln process is using it (the exclusive lock is tried
 * without waiting; the next build tries again). Returns the cache records dropped.
 */
export async function recoverIfIdle(root: string, warn: (message: string) => void): Promise<number> {
  let lock;
  try {
    lock = await lockRoot(root, { mode: 'exclusive', timeoutMs: 0 });
  } catch {
    return 0;
  }
  let dropped = 0;
  try {
    const snapshotter = await createSnapshotter(join(root, 'snapshots'));
    if (snapshotter instanceof OverlaySnapshotter) await snapshotter.recover();
    const boot = bootId();
    const db = StateDb.open(root);
    try {
      let synced = false;
      for (const row of db.unsyncedBuilds()) {
        const lost = row.boot !== boot;
        if (!lost && pidAlive(row.pid)) continue;
        // Killed on this boot: its writes are in the page cache, and go to disk now (one syncfs
        // covers every such build).
        if (!lost && !synced) {
          await syncFileSystem(join(root, 'snapshots'));
          synced = true;
        }
        dropped += db.settleUnsynced(row, lost);
      }
    } finally {
      db.close();
    }
    clearDeadMarks(root);
    writeFileSync(bootFile(root), boot);
  } finally {
    await lock.release();
  }
  if (dropped > 0) warn(`the machine went down during an earlier build: its ${dropped} cache record(s) were dropped, as their data may not have reached the disk`);
  return dropped;
}
