import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { CommandShell, shellQuote } from '../../../runtime/snapshot/command-shell.js';

describe('CommandShell', () => {
  test('passes any argument through as one word, and reports output and exit code', async () => {
    const shell = new CommandShell();
    const odd = `it's a "test" $HOME \`x\` ; rm -rf /\nsecond line`;
    const r = await shell.run('sh', ['-c', 'printf "%s|" "$@"; echo err >&2; exit 3', 'sh', odd, '', '*']);
    expect(r.exitCode).toBe(3);
    expect(r.output).toBe(`${odd}||*|err\n`);
  });

  test('runs in the given directory without moving the shell', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'kiln-shell-')));
    try {
      const shell = new CommandShell();
      expect((await shell.run('pwd', [], dir)).output.trim()).toBe(dir);
      expect((await shell.run('pwd', [])).output.trim()).toBe(process.cwd());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('answers each of many concurrent commands with its own result', async () => {
    const shell = new CommandShell();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => shell.run('sh', ['-c', `echo n${i}; exit ${i % 4}`])));
    results.forEach((r, i) => expect(r).toEqual({ exitCode: i % 4, output: `n${i}\n` }));
  });

  test('a missing command fails with the shell\'s message', async () => {
    const r = await new CommandShell().run('kiln-no-such-command', ['x']);
    expect(r.exitCode).toBe(127);
    expect(r.output).toMatch(/not found/);
  });

  test('when the shell dies, the running command fails and later ones run on their own', async () => {
    const shell = new CommandShell();
    const killer = shell.run('sh', ['-c', 'kill -9 $PPID; sleep 1']);
    const after = shell.run('echo', ['still works']);
    expect((await killer).exitCode).not.toBe(0);
    expect(await after).toEqual({ exitCode: 0, output: 'still works\n' });
    expect(await shell.run('echo', ['and later'])).toEqual({ exitCode: 0, output: 'and later\n' });
  });

  test('an idle shell does not keep the process alive', async () => {
    const module = join(process.cwd(), 'dist', 'runtime', 'snapshot', 'command-shell.js');
    const script = `import { runCommand } from ${JSON.stringify(module)}; const r = await runCommand('echo', ['done']); process.stdout.write(r.output);`;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(r.stdout).toBe('done');
  });

  test('shellQuote makes a single POSIX shell word', () => {
    expect(shellQuote("a'b")).toBe(`'a'\\''b'`);
    expect(shellQuote('')).toBe("''");
  });
});
