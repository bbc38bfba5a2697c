import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

/** How to run one kind of helper and read its answers. */
export interface HelperSpec<R> {
  /** The program to start (made when first needed), or undefined where there can be none. */
  readonly start: () => { readonly cmd: string; readonly args: readonly string[]; readonly env: NodeJS.ProcessEnv } | undefined;
  /** The first whole answer at the start of `out` and the length it takes, or undefined while incomplete. */
  readonly answer: (out: string) => { readonly value: R; readonly length: number } | undefined;
  /** What the request being answered gets when the helper dies meanwhile (it may or may not have been done). */
  readonly lost: R;
}

interface Pending<R> {
  readonly line: string;
  readonly resolve: (r: R | undefined) => void;
}

/**
 * A long-lived helper process (kiln's command shell, its mount helper) answering one request at
 * a time, in order. Why: Node forks its whole process for every child, and starting a process
 * costs milliseconds here; a small helper does the work without that.
 *
 * It starts on first use, in its own process group (a Ctrl-C at the terminal stops the build,
 * not the helper its clean-up runs through), exits when kiln does (end of its stdin), and holds
 * the event loop only while a request runs. A request answers `undefined` when there is no
 * helper: none could start, or it died before the request ran; callers then do the work
 * another way.
 */
export class HelperProcess<R> {
  readonly #spec: HelperSpec<R>;
  #proc: ChildProcessWithoutNullStreams | undefined;
  #broken = false;
  readonly #queue: Pending<R>[] = [];
  #out = '';

  constructor(spec: HelperSpec<R>) {
    this.#spec = spec;
  }

  /** Sends the line `line()` makes (after the helper started) and resolves with its answer. */
  request(line: () => string): Promise<R | undefined> {
    const proc = this.#start();
    if (!proc) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const p = { line: line(), resolve };
      this.#queue.push(p);
      if (this.#queue.length === 1) {
        holdProcess(proc, true);
        proc.stdin.write(p.line);
      }
    });
  }

  /** Starts the helper now, ahead of its first request, so that request does not wait for it. */
  warm(): void {
    this.#start();
  }

  #start(): ChildProcessWithoutNullStreams | undefined {
    if (this.#broken) return undefined;
    if (this.#proc) return this.#proc;
    const how = this.#spec.start();
    try {
      if (!how) throw new Error('no helper here');
      const child = spawn(how.cmd, how.args, { stdio: 'pipe', detached: true, env: how.env });
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => this.#read(chunk));
      const gone = () => this.#fail();
      child.stdin.on('error', gone);
      child.on('error', gone);
      child.on('exit', gone);
      holdProcess(child, false);
      this.#proc = child;
      return child;
    } catch {
      this.#broken = true;
      return undefined;
    }
  }

  #read(chunk: string): void {
    this.#out += chunk;
    for (let a = this.#spec.answer(this.#out); a !== undefined; a = this.#spec.answer(this.#out)) {
      this.#out = this.#out.slice(a.length);
      this.#queue.shift()?.resolve(a.value);
      const next = this.#queue[0];
      if (next) this.#proc?.stdin.write(next.line);
      else if (this.#proc) holdProcess(this.#proc, false);
    }
  }

  /** The helper is gone: the running request gets `lost`, the waiting and later ones `undefined`. */
  #fail(): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#proc = undefined;
    const [running, ...waiting] = this.#queue.splice(0);
    running?.resolve(this.#spec.lost);
    for (const p of waiting) p.resolve(undefined);
  }
}

/** While a helper works for kiln, it keeps the event loop alive; idle, it must not. */
function holdProcess(child: ChildProcessWithoutNullStreams, busy: boolean): void {
  for (const h of [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
    if (busy) h.ref?.();
    else h.unref?.();
  }
}
