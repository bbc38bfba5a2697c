import { execFile, spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';

/** What a short command printed and how it ended. */
export interface CommandResult {
  readonly exitCode: number;
  /** stdout and stderr together, in the order written. */
  readonly output: string;
}

/** POSIX shell quoting: any string but NUL (which no path or argument can hold) as one word. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** While a helper process works for kiln, it keeps the event loop alive; idle, it must not. */
export function holdProcess(child: ChildProcessWithoutNullStreams, busy: boolean): void {
  for (const h of [child, child.stdin, child.stdout, child.stderr] as unknown as { ref?: () => void; unref?: () => void }[]) {
    if (busy) h.ref?.();
    else h.unref?.();
  }
}

/**
 * Starts a long-lived helper (the command shell, the mount helper): in its own process group,
 * so a Ctrl-C at the terminal stops the build and not the helper its clean-up runs through;
 * exiting when kiln does (end of its stdin); idle until asked. Undefined when it cannot start.
 */
export function startHelper(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, onOutput: (chunk: string) => void, onGone: () => void): ChildProcessWithoutNullStreams | undefined {
  try {
    const child = spawn(cmd, args, { stdio: 'pipe', detached: true, env });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', onOutput);
    child.stdin.on('error', onGone);
    child.on('error', onGone);
    child.on('exit', onGone);
    holdProcess(child, false);
    return child;
  } catch {
    return undefined;
  }
}

interface Pending {
  readonly cmd: string;
  readonly args: readonly string[];
  readonly cwd: string | undefined;
  readonly line: string;
  readonly resolve: (r: CommandResult) => void;
}

/**
 * Runs short system commands (mount(8), umount(8)) through one long-lived /bin/sh.
 *
 * Why: Node forks its whole process for every child (libuv uses fork), which costs ~5 ms of
 * the event loop per command at a build's memory size, more than mount(8) itself; a file op
 * mounts and unmounts up to four times. The shell is small, so its forks are cheap, and the
 * event loop never blocks on them. Commands run one at a time, in order. The shell starts on
 * first use and never keeps kiln alive; should it die, commands fall back to one child each.
 */
export class CommandShell {
  #sh: ChildProcessWithoutNullStreams | undefined;
  #broken = false;
  // Made with the shell, not as the module loads: a start-up snapshot would fix it for every run.
  #token = '';
  readonly #queue: Pending[] = [];
  #stdout = '';

  run(cmd: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
    const sh = this.#shell();
    if (!sh) return runAlone(cmd, args, cwd);
    const words = [cmd, ...args].map(shellQuote).join(' ');
    // A subshell per command: its cd stays its own. LC_ALL=C spares mount(8) loading locales.
    const line = `(${cwd ? `cd ${shellQuote(cwd)} && ` : ''}LC_ALL=C exec ${words}) </dev/null 2>&1; echo "${this.#token} $?"\n`;
    return new Promise((resolve) => {
      const p: Pending = { cmd, args, cwd, line, resolve };
      this.#queue.push(p);
      if (this.#queue.length === 1) {
        holdProcess(sh, true);
        sh.stdin.write(line);
      }
    });
  }

  #shell(): ChildProcessWithoutNullStreams | undefined {
    if (this.#broken) return undefined;
    if (this.#sh) return this.#sh;
    this.#token = `__kiln_done_${randomBytes(8).toString('hex')}`;
    const env = { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' };
    this.#sh = startHelper('/bin/sh', [], env, (chunk) => this.#read(chunk), () => this.#fail());
    if (!this.#sh) this.#broken = true;
    return this.#sh;
  }

  #read(chunk: string): void {
    this.#stdout += chunk;
    for (;;) {
      const at = this.#stdout.indexOf(this.#token);
      if (at < 0) return;
      const end = this.#stdout.indexOf('\n', at);
      if (end < 0) return;
      const p = this.#queue.shift();
      const output = this.#stdout.slice(0, at);
      const code = Number(this.#stdout.slice(at + this.#token.length, end).trim());
      this.#stdout = this.#stdout.slice(end + 1);
      if (p) p.resolve({ exitCode: Number.isInteger(code) ? code : 1, output });
      const next = this.#queue[0];
      if (next) this.#sh?.stdin.write(next.line);
      else if (this.#sh) holdProcess(this.#sh, false);
    }
  }

  /**
   * The shell is gone: the command it was running fails (it may or may not have run), the
   * ones still waiting run on their own, and so does every later one.
   */
  #fail(): void {
    if (this.#broken) return;
    this.#broken = true;
    this.#sh = undefined;
    const [running, ...waiting] = this.#queue.splice(0);
    running?.resolve({ exitCode: 1, output: `${running.cmd}: kiln's command shell exited while it ran` });
    for (const p of waiting) void runAlone(p.cmd, p.args, p.cwd).then(p.resolve);
  }
}

/** One child for one command (the fallback). */
function runAlone(cmd: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { ...(cwd ? { cwd } : {}), encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ exitCode: code, output: `${stdout}${stderr}` || (err ? err.message : '') });
    });
  });
}

const shared = new CommandShell();

/**
 * Runs `cmd args` (in `cwd`) through kiln's command shell and resolves with its exit code and
 * output; never rejects.
 */
export function runCommand(cmd: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
  return shared.run(cmd, args, cwd);
}
