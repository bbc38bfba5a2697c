import { spawn } from 'node:child_process';
import { close, open } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { promisify } from 'node:util';
import { KilnError } from '../../compiler/index.js';
import { abortError } from '../solver/index.js';
import { rootPaths } from './root.js';

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

/**
 * Locks a state root against other kiln processes, with flock(2) on `<root>/lock`.
 *
 * flock locks belong to the open file description, and the kernel drops them
 * when the last descriptor closes, so a killed holder never leaves a stale lock
 * behind and no pid bookkeeping is needed. Node has no flock call; util-linux's
 * `flock` command is handed our descriptor as its fd 3, locks it and exits, and
 * the lock stays with the description this process keeps open.
 *
 * Each call opens its own description, so two locks taken in one process
 * conflict like locks of two processes: take the root lock once per process.
 */
export async function lockRoot(root: string, opts: LockOptions = {}): Promise<RootLock> {
  const mode = opts.mode ?? 'exclusive';
  if (opts.signal?.aborted) throw abortError(opts.signal);
  await mkdir(root, { recursive: true });
  const path = rootPaths(root).lock;
  // A plain descriptor, not a FileHandle: Node closes a FileHandle it garbage-
  // collects, which would drop the lock behind its holder's back.
  const fd = await promisify(open)(path, 'a+', 0o644);
  try {
    await runFlock(fd, mode, path, opts);
  } catch (err) {
    await promisify(close)(fd);
    throw err;
  }
  let released = false;
  return {
    mode,
    async release() {
      if (released) return;
      released = true;
      await promisify(close)(fd);
    },
  };
}

function runFlock(fd: number, mode: LockMode, path: string, opts: LockOptions): Promise<void> {
  const args = [mode === 'exclusive' ? '--exclusive' : '--shared'];
  if (opts.timeoutMs === 0) args.push('--nonblock');
  args.push('3');
  return new Promise<void>((resolve, reject) => {
    const child = spawn('flock', args, { stdio: ['ignore', 'ignore', 'pipe', fd] });
    let stderr = '';
    let gaveUp: Error | undefined;
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const giveUp = (err: Error) => {
      gaveUp ??= err;
      child.kill('SIGKILL');
    };
    const onAbort = () => giveUp(abortError(opts.signal!));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      opts.timeoutMs !== undefined && opts.timeoutMs > 0
        ? setTimeout(() => giveUp(busy(path, `after ${opts.timeoutMs} ms`)), opts.timeoutMs)
        : undefined;
    const done = (err?: Error) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve();
    };
    child.on('error', (err: NodeJS.ErrnoException) => {
      done(err.code === 'ENOENT'
        ? new KilnError('lock/no-flock', 'locking the state root needs the flock command (util-linux)', { cause: err })
        : new KilnError('lock/failed', `cannot lock ${path}`, { cause: err }));
    });
    child.on('close', (code) => {
      // A lock won just as we gave up is dropped by the caller closing the descriptor.
      if (gaveUp) done(gaveUp);
      else if (code === 0) done();
      else if (code === 1 && opts.timeoutMs === 0) done(busy(path, 'and no wait was asked for'));
      else done(new KilnError('lock/failed', `cannot lock ${path}: flock exited with ${String(code)}: ${stderr.trim()}`));
    });
  });
}

function busy(path: string, detail: string): KilnError {
  return new KilnError('lock/timeout', `the state root is in use by another kiln process (${path} is locked) ${detail}`);
}
