import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { HelperProcess } from './helper-process.js';

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

/**
 * Runs short system commands (mount(8), umount(8) where kiln's mount helper cannot) through one
 * long-lived /bin/sh (see helper-process.ts): its forks are cheap where Node's are not. A
 * subshell per command keeps its `cd` its own. Should the shell be gone, commands run as one
 * child each.
 */
export class CommandShell {
  // Made with the shell, not as the module loads: a start-up snapshot would fix it for every run.
  #token = '';
  readonly #helper = new HelperProcess<CommandResult>({
    start: () => {
      this.#token = `__kiln_done_${randomBytes(8).toString('hex')}`;
      return { cmd: '/bin/sh', args: [], env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin' } };
    },
    answer: (out) => {
      const at = out.indexOf(this.#token);
      const end = at < 0 ? -1 : out.indexOf('\n', at);
      if (end < 0) return undefined;
      const code = Number(out.slice(at + this.#token.length, end).trim());
      return { value: { exitCode: Number.isInteger(code) ? code : 1, output: out.slice(0, at) }, length: end + 1 };
    },
    lost: { exitCode: 1, output: "kiln's command shell exited while the command ran" },
  });

  async run(cmd: string, args: readonly string[], cwd?: string): Promise<CommandResult> {
    const words = [cmd, ...args].map(shellQuote).join(' ');
    // LC_ALL=C spares mount(8) loading locales.
    const line = () => `(${cwd ? `cd ${shellQuote(cwd)} && ` : ''}LC_ALL=C exec ${words}) </dev/null 2>&1; echo "${this.#token} $?"\n`;
    return (await this.#helper.request(line)) ?? runAlone(cmd, args, cwd);
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
