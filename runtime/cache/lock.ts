import type Database from 'better-sqlite3';
import { mkdir } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError } from '../../compiler/index.js';
import { abortError } from '../solver/index.js';
import { rootPaths } from './root.js';
import { openSqlite } from './sqlite.js';

/** Shared: many holders at once (builds); exclusive: one holder and no shared ones (prune, migrations). */
export type LockMode = 'shared' | 'exclusive';

/** Options of {@link lockRoot}. */
export interface LockOptions {
  readonly mode?: LockMode;
  /** Give up after this many ms (`lock/timeout`); 0 fails at once when the lock is busy. Unbounded by default. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

/** A held lock on a state root. */
export interface RootLock {
  readonly mode: LockMode;
  /** Releases the lock; safe to call twice. */
  release(): Promise<void>;
}

// A waiter retries at this pace; the lock is only ever contended by another kiln process.
const FIRST_RETRY_MS = 10;
const MAX_RETRY_MS = 100;

/**
 * Locks a state root against other kiln processes: a transaction held open on `<root>/lock`,
 * an SQLite database that stays empty.
 *
 * SQLite takes a shared or exclusive lock on the file (POSIX record locks) for a read or an
 * exclusive transaction, and the kernel drops those when their process dies, so a killed holder
 * never leaves a stale lock behind and no pid bookkeeping is needed. SQLite also makes two
 * connections of one process conflict like two processes, so each call is a holder of its own.
 * (It replaced flock(1): Node has no flock call, and forking a child to take one cost ~15 ms of
 * every build.) A busy lock is retried with a short back-off, never by blocking the event loop,
 * so a waiting build still answers Ctrl-C.
 */
export async function lockRoot(root: string, opts: LockOptions = {}): Promise<RootLock> {
  const mode = opts.mode ?? 'exclusive';
  if (opts.signal?.aborted) throw abortError(opts.signal);
  await mkdir(root, { recursive: true });
  const path = rootPaths(root).lock;
  let db: Database.Database;
  try {
    db = openSqlite(path, 0);
  } catch (err) {
    throw new KilnError('lock/failed', `cannot lock ${path}`, { cause: err });
  }
  try {
    await acquire(db, mode, path, opts);
  } catch (err) {
    db.close();
    throw err;
  }
  let released = false;
  return {
    mode,
    release() {
      if (!released) {
        released = true;
        db.close();
      }
      return Promise.resolve();
    },
  };
}

async function acquire(db: Database.Database, mode: LockMode, path: string, opts: LockOptions): Promise<void> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  let wait = FIRST_RETRY_MS;
  for (;;) {
    if (tryLock(db, mode, path)) return;
    if (opts.timeoutMs === 0) throw busy(path, 'and no wait was asked for');
    const left = deadline - Date.now();
    if (left <= 0) throw busy(path, `after ${opts.timeoutMs} ms`);
    try {
      await sleep(Math.min(wait, left), undefined, { signal: opts.signal });
    } catch {
      throw abortError(opts.signal!);
    }
    wait = Math.min(wait * 2, MAX_RETRY_MS);
  }
}

/** Takes the lock, or finds it busy (false); the transaction it opens is the lock, held until the connection closes. */
function tryLock(db: Database.Database, mode: LockMode, path: string): boolean {
  try {
    // Nothing is ever written: no journal file to create, or to leave behind when killed. (The
    // mode is read from the file, so it waits for the lock like the transaction does.)
    db.pragma('journal_mode = MEMORY');
    if (mode === 'exclusive') {
      db.exec('BEGIN EXCLUSIVE');
    } else {
      // A deferred transaction takes its shared lock at its first read.
      db.exec('BEGIN');
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    }
    return true;
  } catch (err) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if ((err as { code?: string }).code === 'SQLITE_BUSY') return false;
    throw new KilnError('lock/failed', `cannot lock ${path}`, { cause: err });
  }
}

function busy(path: string, detail: string): KilnError {
  return new KilnError('lock/timeout', `the state root is in use by another kiln process (${path} is locked) ${detail}`);
}
