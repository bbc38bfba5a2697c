import { kilnBin } from '../../support/kiln-cli.js';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';

// SIGKILL at random points of 20 builds: the root must stay usable, and a
// clean build afterwards succeeds and reuses the steps that had finished.
const kiln = kilnBin;
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

(canRun ? describe : describe.skip)('killed builds', () => {
  it('leave a root the next build uses as is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));
    await execa(kiln, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ctx-'));
    writeFileSync(join(dir, 'f.txt'), 'data\n');
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM localhost:5000/busybox:latest',
      'RUN echo one > /one',
      'COPY f.txt /f.txt',
      'RUN sleep 0.3 && echo two > /two',
      'RUN echo three > /three',
    ].join('\n'));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20; i++) {
      const child = execa(kiln, ['build', dir, '--root', root, '--progress', 'plain'], { reject: false });
      // Up to 4 s: some runs die while starting, some mid-step, some after steps finished.
      await sleep(200 + Math.floor(rand() * 3800));
      child.kill('SIGKILL');
      await child;
    }
    const out = join(dir, 'out');
    const r = await execa(kiln, ['build', dir, '--root', root, '--progress', 'rawjson', '--output', `type=local,dest=${out}`]);
    const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string });
    expect(existsSync(join(out, 'three'))).toBe(true);
    expect(events.some((e) => e.kind === 'cached')).toBe(true);
  }, 300_000);

  it('after the machine went down under a build, drop what that build recorded and build it again', async () => {
    // Snapshots are written without syncs until a build ends; a power loss before that can leave
    // its records without their data. Simulated: the root says a build of an earlier boot never
    // synced (what its row in the state database says after such a crash).
    const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));
    await execa(kiln, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ctx-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo one > /one\n');
    const started = Date.now();
    const first = await execa(kiln, ['build', dir, '--root', root, '--progress', 'plain']);
    expect(first.stderr).not.toContain('CACHED');
    const { StateDb } = await import('../../../runtime/cache/index.js');
    const db = StateDb.open(root);
    expect(db.unsyncedBuilds()).toEqual([]);
    db.db.prepare('INSERT INTO unsynced (boot, pid, started) VALUES (?, ?, ?)').run('an-earlier-boot', 1, started);
    db.close();
    writeFileSync(join(root, 'boot'), 'an-earlier-boot');
    const out = join(dir, 'out');
    const second = await execa(kiln, ['build', dir, '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`]);
    expect(second.stderr).toMatch(/warning: the machine went down during an earlier build: its \d+ cache record\(s\) were dropped/);
    expect(second.stderr).toMatch(/RUN echo one > \/one\n#\d+ DONE/);
    expect(readFileSync(join(out, 'one'), 'utf8')).toBe('one\n');
    const third = await execa(kiln, ['build', dir, '--root', root, '--progress', 'plain']);
    expect(third.stderr).not.toContain('warning');
    expect(third.stderr).toMatch(/RUN echo one > \/one\n#\d+ CACHED/);
  }, 120_000);

  it('a Ctrl-C cancels the running step and cleans up before kiln exits', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));
    await execa(kiln, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ctx-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo started && sleep 30\n');
    // A plain child, as a shell starts it: started through execa, kiln did not show the old
    // fault (killed by its own SIGINT mid-cleanup, mounts left behind).
    const child = spawn(kiln, ['build', dir, '--root', root, '--progress', 'rawjson'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let seen = '';
    child.stderr.on('data', (d: Buffer) => (seen += d.toString()));
    const exited = new Promise<number | string | null>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig)));
    for (let i = 0; i < 200 && !seen.includes('started'); i++) await sleep(50);
    expect(seen).toContain('started');
    await sleep(500);
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(seen).toContain('build canceled');
    // No container, mount or unfinished snapshot outlives the build.
    expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(root);
    expect(readdirSync(join(root, 'run')).filter((n) => n.startsWith('kiln-'))).toEqual([]);
  }, 120_000);
});
