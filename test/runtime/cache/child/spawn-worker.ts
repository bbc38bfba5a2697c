import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** A running worker.ts process and the lines it has printed. */
export interface Worker {
  readonly child: ChildProcess;
  readonly lines: string[];
  /** Resolves with the first line starting with `prefix` (rejects if the worker exits first). */
  waitFor(prefix: string): Promise<string>;
  /** Resolves with the exit code (null when killed) and stderr. */
  readonly exited: Promise<{ code: number | null; stderr: string }>;
}

/** Starts worker.ts in a separate node process. */
export function spawnWorker(args: readonly string[]): Worker {
  // Without jest's --experimental-vm-modules: the child is plain node.
  const env = { ...process.env, NODE_OPTIONS: '' };
  const child = spawn(process.execPath, ['--import', join(here, 'register.mjs'), join(here, 'worker.ts'), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const waiters: { prefix: string; resolve: (l: string) => void; reject: (e: Error) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (s: string) => {
    buffered += s;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const w of waiters.filter((w) => line.startsWith(w.prefix))) w.resolve(line);
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => {
    child.on('close', (code) => {
      for (const w of waiters) w.reject(new Error(`worker exited (${String(code)}) before printing "${w.prefix}": ${stderr}`));
      resolve({ code, stderr });
    });
  });
  return {
    child,
    lines,
    exited,
    waitFor(prefix) {
      const seen = lines.find((l) => l.startsWith(prefix));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ prefix, resolve, reject }));
    },
  };
}
