import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { kilnBin } from '../../support/kiln-cli.js';

// `ADD git://…` and LLB git sources against a real git daemon on loopback: checkouts of a
// tag, a branch's subdirectory and `.git` kept on request; keyed by commit, so a rebuild
// runs nothing until the branch moves, and then only the source that follows it.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync('/usr/lib/git-core/git-daemon');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    }).on('error', reject);
  });
}

(canRun ? describe : describe.skip)('git sources', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-git-'));
  const root = join(work, 'root');
  const repo = join(work, 'repos', 'app.git');
  let daemon: ChildProcess;
  let remote: string;
  const git = (...args: string[]) => execa('git', ['-C', repo, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args]);

  beforeAll(async () => {
    mkdirSync(join(repo, 'sub'), { recursive: true });
    await execa('git', ['init', '-q', '-b', 'main', repo]);
    writeFileSync(join(repo, 'a.txt'), 'v1\n');
    writeFileSync(join(repo, 'sub', 'b.txt'), 'b1\n');
    writeFileSync(join(repo, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    await git('add', '.');
    await git('commit', '-q', '-m', 'one');
    await git('tag', '-a', 'v1', '-m', 'release one');
    const port = await freePort();
    daemon = spawn('/usr/lib/git-core/git-daemon', ['--reuseaddr', '--export-all', '--listen=127.0.0.1', `--port=${port}`, `--base-path=${join(work, 'repos')}`, join(work, 'repos')], { stdio: 'ignore' });
    remote = `git://127.0.0.1:${port}/app.git`;
    for (let i = 0; i < 100; i++) {
      if ((await execa('git', ['ls-remote', remote], { reject: false })).exitCode === 0) break;
      await sleep(100);
    }
    await execa(kilnBin, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
  }, 60_000);
  afterAll(() => daemon?.kill());

  const ctx = mkdtempSync(join(work, 'ctx-'));
  const build = (out: string) => execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'rawjson', '--output', `type=local,dest=${out}`], { reject: false });
  const started = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string; name?: string })
    .filter((e) => e.kind === 'started' && / ADD /.test(e.name ?? '')).map((e) => e.name!);

  it('checks out a tag and a branch subdirectory, keyed by commit', async () => {
    writeFileSync(join(ctx, 'Dockerfile'), `FROM localhost:5000/busybox:latest\nADD ${remote}#v1 /v1\nADD ${remote}#main:sub /sub\nADD --keep-git-dir=true ${remote}#main /full\n`);
    const out1 = join(work, 'out1');
    const first = await build(out1);
    expect(first.stderr).not.toContain('ERROR');
    expect(first.exitCode).toBe(0);
    expect(readFileSync(join(out1, 'v1', 'a.txt'), 'utf8')).toBe('v1\n');
    expect(statSync(join(out1, 'v1', 'run.sh')).mode & 0o111).not.toBe(0);
    expect(existsSync(join(out1, 'v1', '.git'))).toBe(false);
    expect(readFileSync(join(out1, 'sub', 'b.txt'), 'utf8')).toBe('b1\n');
    expect(existsSync(join(out1, 'sub', 'a.txt'))).toBe(false);
    expect(existsSync(join(out1, 'full', '.git'))).toBe(true);
    // Each ADD is two steps of the same name: the git source and the copy from it.
    expect(new Set(started(first.stderr)).size).toBe(3);

    expect(started((await build(join(work, 'out2'))).stderr)).toEqual([]);

    writeFileSync(join(repo, 'sub', 'b.txt'), 'b2\n');
    await git('commit', '-q', '-am', 'two');
    const out3 = join(work, 'out3');
    const third = await build(out3);
    expect(third.exitCode).toBe(0);
    expect(readFileSync(join(out3, 'sub', 'b.txt'), 'utf8')).toBe('b2\n');
    expect(readFileSync(join(out3, 'v1', 'a.txt'), 'utf8')).toBe('v1\n');
    // The tag did not move: only the sources that follow main ran.
    expect(started(third.stderr).some((n) => n.includes('#v1'))).toBe(false);
  }, 180_000);

  it('names a missing ref and a checksum that does not match', async () => {
    writeFileSync(join(ctx, 'Dockerfile'), `FROM localhost:5000/busybox:latest\nADD ${remote}#no-such-branch /x\n`);
    const missing = await build(join(work, 'out4'));
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('no branch, tag or commit named "no-such-branch"');
    writeFileSync(join(ctx, 'Dockerfile'), `FROM localhost:5000/busybox:latest\nADD --checksum=0000000 ${remote}#v1 /x\n`);
    const wrong = await build(join(work, 'out5'));
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.stderr).toContain('expected checksum to match 0000000');
  }, 120_000);
});
