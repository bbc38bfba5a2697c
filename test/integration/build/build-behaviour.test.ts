import { kilnBin } from '../../support/kiln-cli.js';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { llb } from '../../../compiler/index.js';

// kiln build as a user runs it: cache behaviour, concurrency, cache mounts,
// secrets, failures, path safety, two builds on one root. Root + runc only.
const kiln = kilnBin;
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');
const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));

interface Ev { kind: string; name?: string; vertex: string; time: number; line?: string }

async function build(dir: string, extra: string[] = [], opts: { reject?: boolean } = {}) {
  const r = await execa(kiln, ['build', dir, '--root', root, '--progress', 'rawjson', ...extra], { reject: opts.reject ?? true });
  const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Ev);
  const ran = events.filter((e) => e.kind === 'started').map((e) => e.name ?? '');
  return { ...r, events, ran, runs: ran.filter((n) => / RUN /.test(n)) };
}

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-ctx-'));
  for (const [p, data] of Object.entries(files)) {
    mkdirSync(join(dir, p, '..'), { recursive: true });
    writeFileSync(join(dir, p), data);
  }
  return dir;
}

(canRun ? describe : describe.skip)('kiln build', () => {
  beforeAll(async () => {
    await execa(kiln, ['image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
  });

  it('reruns only what a change reaches', async () => {
    const dir = context({
      Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN echo base > /base\nCOPY app.txt /app.txt\nRUN cat /app.txt > /copy\n',
      'app.txt': 'v1\n', 'unrelated.txt': 'x\n',
    });
    expect((await build(dir)).runs).toHaveLength(2);
    expect((await build(dir)).ran).toEqual([]);
    writeFileSync(join(dir, 'unrelated.txt'), 'changed\n');
    expect((await build(dir)).runs).toEqual([]);
    writeFileSync(join(dir, 'app.txt'), 'v2\n');
    const third = await build(dir, ['--output', `type=local,dest=${join(dir, 'out')}`]);
    expect(third.runs).toHaveLength(1);
    expect(third.runs[0]).toContain('cat /app.txt');
    expect(readFileSync(join(dir, 'out', 'copy'), 'utf8')).toBe('v2\n');
  }, 120_000);

  it('--no-cache-filter reruns the named stages and what uses them, nothing else', async () => {
    const dir = context({
      Dockerfile: [
        'FROM localhost:5000/busybox:latest AS gen', 'RUN cat /proc/sys/kernel/random/uuid > /id',
        'FROM localhost:5000/busybox:latest AS other', 'RUN echo other > /other',
        'FROM localhost:5000/busybox:latest', 'COPY --from=gen /id /id', 'COPY --from=other /other /other', 'RUN cat /id > /seen', '',
      ].join('\n'),
    });
    const out = (n: number) => ['--output', `type=local,dest=${join(dir, `out${n}`)}`];
    await build(dir, out(1));
    const second = await build(dir, ['--no-cache-filter', 'gen', ...out(2)]);
    expect(second.runs.map((n) => n.replace(/^\[([^\]]*)\].*$/, '$1'))).toEqual(['gen 2/2', 'stage-2 4/4']);
    expect(second.ran.some((n) => n.startsWith('[other'))).toBe(false);
    const id1 = readFileSync(join(dir, 'out1', 'id'), 'utf8');
    const id2 = readFileSync(join(dir, 'out2', 'id'), 'utf8');
    expect(id2).not.toBe(id1);
    expect(readFileSync(join(dir, 'out2', 'seen'), 'utf8')).toBe(id2);
  }, 120_000);

  it('syncs the context incrementally yet exactly: edits, deletions, re-creations and renames all arrive', async () => {
    const dir = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nCOPY app /src\n', 'app/a.txt': 'a1\n', 'app/b.txt': 'b1\n', 'app/sub/c.txt': 'c1\n' });
    const tree = async (n: number) => {
      const out = join(dir, `out${n}`);
      await build(dir, ['--output', `type=local,dest=${out}`]);
      const list = (await execa('find', ['.', '-type', 'f'], { cwd: join(out, 'src') })).stdout.split('\n').sort();
      return Object.fromEntries(list.map((f) => [f, readFileSync(join(out, 'src', f), 'utf8')]));
    };
    expect(await tree(1)).toEqual({ './a.txt': 'a1\n', './b.txt': 'b1\n', './sub/c.txt': 'c1\n' });
    writeFileSync(join(dir, 'app', 'a.txt'), 'a2\n');
    rmSync(join(dir, 'app', 'b.txt'));
    rmSync(join(dir, 'app', 'sub'), { recursive: true });
    writeFileSync(join(dir, 'app', 'sub'), 'now a file\n');
    expect(await tree(2)).toEqual({ './a.txt': 'a2\n', './sub': 'now a file\n' });
    writeFileSync(join(dir, 'app', 'b.txt'), 'b3\n');
    rmSync(join(dir, 'app', 'sub'));
    mkdirSync(join(dir, 'app', 'sub'));
    writeFileSync(join(dir, 'app', 'sub', 'd.txt'), 'd3\n');
    expect(await tree(3)).toEqual({ './a.txt': 'a2\n', './b.txt': 'b3\n', './sub/d.txt': 'd3\n' });
  }, 120_000);

  it('exports a local tree as the layers stack up: deletions, opaque directories and the tar output agree', async () => {
    const dir = context({
      Dockerfile: [
        'FROM localhost:5000/busybox:latest',
        'RUN rm /bin/ls && rm -rf /usr/sbin && mkdir /usr/sbin && echo hi > /usr/sbin/only && mkdir /x && echo a > /x/a',
        'RUN rm /x/a && echo b > /x/b && ln -s /nowhere /dangling', '',
      ].join('\n'),
    });
    const out = join(dir, 'out');
    await build(dir, ['--output', `type=local,dest=${out}`]);
    expect(existsSync(join(out, 'bin', 'ls'))).toBe(false);
    expect(existsSync(join(out, 'bin', 'cat'))).toBe(true);
    expect((await execa('ls', ['-A', join(out, 'usr', 'sbin')])).stdout).toBe('only');
    expect((await execa('ls', ['-A', join(out, 'x')])).stdout).toBe('b');
    await build(dir, ['--output', `type=tar,dest=${join(dir, 'out.tar')}`]);
    mkdirSync(join(dir, 'untar'));
    await execa('tar', ['-xf', join(dir, 'out.tar'), '-C', join(dir, 'untar')]);
    const listing = async (d: string) => (await execa('find', ['.', '-printf', '%p %y %m %l\n'], { cwd: d })).stdout.split('\n').sort();
    expect(await listing(out)).toEqual(await listing(join(dir, 'untar')));
  }, 120_000);

  it('reads a COPY --from file from the layer that shows it, as the mounted view would: replaced, deleted, under a symlink, metadata kept', async () => {
    // One regular file named without wildcards is read from the stage's topmost layer holding it
    // (file-op.ts fileLayer); anything else through the mounted view.
    const dir = context({
      Dockerfile: [
        'FROM localhost:5000/busybox:latest AS s',
        'RUN mkdir -p /x /real && echo old > /x/f && echo low > /x/keep && echo gone > /x/g && echo r > /real/r && chmod 751 /x/keep',
        'RUN rm -rf /x/f /x/g && mkdir /x/f && echo inner > /x/f/in && ln -s /real /lnk',
        'RUN rm -rf /x && mkdir /x && echo new > /x/f2 && echo top > /x/keep2',
        'FROM localhost:5000/busybox:latest',
        'COPY --from=s /x/f2 /f2',
        'COPY --from=s /x/keep2 /keep2',
        'COPY --from=s /lnk/r /via-link',
        'COPY --from=s /bin/busybox /bb',
        '',
      ].join('\n'),
    });
    const out = join(dir, 'out');
    await build(dir, ['--output', `type=local,dest=${out}`]);
    const { lstatSync } = await import('node:fs');
    expect(readFileSync(join(out, 'f2'), 'utf8')).toBe('new\n');
    expect(readFileSync(join(out, 'keep2'), 'utf8')).toBe('top\n');
    expect(readFileSync(join(out, 'via-link'), 'utf8')).toBe('r\n');
    expect(lstatSync(join(out, 'bb')).mode & 0o777).toBe(lstatSync(join(out, 'bin', 'busybox')).mode & 0o777);
    expect(lstatSync(join(out, 'bb')).size).toBe(lstatSync(join(out, 'bin', 'busybox')).size);
    // Hidden by the opaque /x and deleted before it: not found, as through the view.
    for (const gone of ['/x/keep', '/x/g']) {
      const ctx = context({ Dockerfile: readFileSync(join(dir, 'Dockerfile'), 'utf8').replace('COPY --from=s /x/f2 /f2', `COPY --from=s ${gone} /nope`) });
      await expect(build(ctx, [])).rejects.toThrow(/not found|no such file/);
    }
  }, 120_000);

  it('copies into new paths as through the mounted overlay: hidden, deleted and symlinked ancestors, owners, and the tar output agree', async () => {
    // A COPY whose destination is new to its base writes the new snapshot's upper dir directly
    // (file-op.ts); one whose destination exists, or sits under a symlink, goes through the mount.
    const dir = context({
      Dockerfile: [
        'FROM localhost:5000/busybox:latest',
        'RUN mkdir -p /opt/x/sub /deep/a /gone/old && chown 1234:1234 /opt/x/sub && chmod 700 /opt/x/sub && chmod 711 /deep/a && ln -s /tmp /lnk',
        'RUN rm -rf /opt/x /gone && mkdir /opt/x',
        'COPY f.txt /opt/x/sub/f.txt',
        'COPY f.txt /deep/a/b/c.txt',
        'COPY f.txt /gone/new.txt',
        'COPY f.txt /lnk/via-link.txt',
        'COPY --chown=7:8 d /newdir',
        'COPY f.txt /etc/',
        'RUN stat -c "%n %a %u:%g" /opt/x/sub /deep/a /deep/a/b /newdir /newdir/g.txt && ls /gone /tmp/via-link.txt /etc/passwd /etc/f.txt',
        '',
      ].join('\n'),
      'f.txt': 'f\n', 'd/g.txt': 'g\n',
    });
    const out = join(dir, 'out');
    const r = await build(dir, ['--output', `type=local,dest=${out}`]);
    const seen = r.events.filter((e) => e.kind === 'log').map((e) => e.line).join('\n');
    expect(seen).toContain('/opt/x/sub 755 0:0');
    expect(seen).toContain('/deep/a 711 0:0');
    expect(seen).toContain('/deep/a/b 755 0:0');
    expect(seen).toContain('/newdir 755 7:8');
    expect(seen).toContain('/newdir/g.txt 644 7:8');
    expect(seen).toMatch(/^new\.txt$/m);
    expect(seen).not.toContain('old');
    const { lstatSync, readlinkSync } = await import('node:fs');
    expect(readFileSync(join(out, 'opt/x/sub/f.txt'), 'utf8')).toBe('f\n');
    expect(lstatSync(join(out, 'opt/x/sub')).uid).toBe(0);
    expect(lstatSync(join(out, 'deep/a')).mode & 0o777).toBe(0o711);
    expect(existsSync(join(out, 'gone/old'))).toBe(false);
    expect(readFileSync(join(out, 'gone/new.txt'), 'utf8')).toBe('f\n');
    expect(readlinkSync(join(out, 'lnk'))).toBe('/tmp');
    expect(readFileSync(join(out, 'tmp/via-link.txt'), 'utf8')).toBe('f\n');
    expect(lstatSync(join(out, 'newdir/g.txt')).gid).toBe(8);
    expect(existsSync(join(out, 'etc/passwd'))).toBe(true);
    // The same result as a tar (read from a mounted view, not layer by layer).
    const tarOut = join(dir, 'out.tar');
    await build(dir, ['--output', `type=tar,dest=${tarOut}`]);
    const names = (await execa('tar', ['-tvf', tarOut])).stdout;
    expect(names).toMatch(/drwxr-xr-x 0\/0 .* opt\/x\/sub\/$/m);
    expect(names).toMatch(/gone\/new\.txt$/m);
    expect(names).not.toMatch(/gone\/old/m);
  }, 120_000);

  it('stages a local export while steps run, and leaves nothing beside the destination when the build fails', async () => {
    const dir = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN echo made > /made\n', 'x.txt': 'x\n' });
    const out = join(dir, 'out');
    await build(dir, ['--output', `type=local,dest=${out}`]);
    expect(readFileSync(join(out, 'made'), 'utf8')).toBe('made\n');
    expect(existsSync(join(out, 'bin', 'busybox'))).toBe(true);
    writeFileSync(join(dir, 'Dockerfile'), 'FROM localhost:5000/busybox:latest\nRUN echo again > /again && exit 3\n');
    const failed = await build(dir, ['--output', `type=local,dest=${join(dir, 'out2')}`], { reject: false });
    expect(failed.exitCode).not.toBe(0);
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(dir).filter((n) => n.includes('.kiln-') || n === 'out2')).toEqual([]);
  }, 120_000);

  it('runs LLB from another client with its exec options: valid exit codes and ulimits', async () => {
    const base = llb.image('localhost:5000/busybox:latest');
    const def = await base.validExitCodes(0, 7).ulimit('nofile', 77, 88)
      .run({ shell: 'ulimit -Sn > /soft; ulimit -Hn > /hard; exit 7' }).root().marshal();
    const out = mkdtempSync(join(tmpdir(), 'kiln-out-'));
    await execa(kiln, ['build', '--llb', '-', '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`], { input: Buffer.from(def.marshal()) });
    expect(readFileSync(join(out, 'soft'), 'utf8')).toBe('77\n');
    expect(readFileSync(join(out, 'hard'), 'utf8')).toBe('88\n');
    // The same step without exit code 7 listed fails with it.
    const failing = await base.run({ shell: 'exit 7' }).root().marshal();
    const r = await execa(kiln, ['build', '--llb', '-', '--root', root, '--progress', 'plain'], { input: Buffer.from(failing.marshal()), reject: false });
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toContain('exit code: 7');
  }, 120_000);

  it('runs diff ops: the changes of a step, alone and merged onto a base', async () => {
    const base = llb.image('localhost:5000/busybox:latest');
    const changed = base.run({ shell: 'echo new > /new && rm /bin/ls' }).root();
    const changes = llb.diff(base, changed);
    const solve = async (state: typeof base) => {
      const out = mkdtempSync(join(tmpdir(), 'kiln-out-'));
      const def = await state.marshal();
      await execa(kiln, ['build', '--llb', '-', '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`], { input: Buffer.from(def.marshal()) });
      return out;
    };
    // Alone: what the step wrote, nothing of the base under it.
    const alone = await solve(changes);
    expect(readFileSync(join(alone, 'new'), 'utf8')).toBe('new\n');
    expect(existsSync(join(alone, 'bin', 'cat'))).toBe(false);
    // Merged onto a base: the additions and the deletion both apply.
    const merged = await solve(llb.merge([base, changes]));
    expect(readFileSync(join(merged, 'new'), 'utf8')).toBe('new\n');
    expect(existsSync(join(merged, 'bin', 'ls'))).toBe(false);
    expect(existsSync(join(merged, 'bin', 'cat'))).toBe(true);
    // Against scratch, a diff is all of its upper.
    const whole = await solve(llb.diff(llb.scratch(), changed));
    expect(existsSync(join(whole, 'bin', 'cat'))).toBe(true);
    // Two unrelated states: a clear refusal, no stack trace.
    const unrelated = await llb.diff(base.run({ shell: 'echo a > /a' }).root(), changed).marshal();
    const r = await execa(kiln, ['build', '--llb', '-', '--root', root, '--progress', 'plain'], { input: Buffer.from(unrelated.marshal()), reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('its upper input was not built on its lower input');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('runs independent stages at the same time', async () => {
    const dir = context({
      Dockerfile: 'FROM localhost:5000/busybox:latest AS a\nRUN sleep 2 && echo a > /a\nFROM localhost:5000/busybox:latest AS b\nRUN sleep 2 && echo b > /b\nFROM scratch\nCOPY --from=a /a /a\nCOPY --from=b /b /b\n',
    });
    const { events } = await build(dir, ['--no-cache']);
    const sleeps = events.filter((e) => e.kind === 'started' && /sleep 2/.test(e.name ?? ''));
    expect(sleeps).toHaveLength(2);
    const done = events.filter((e) => e.kind === 'done' && sleeps.some((s) => s.vertex === e.vertex)).map((e) => e.time);
    // Both started before either finished: they overlapped.
    expect(Math.max(...sleeps.map((s) => s.time))).toBeLessThan(Math.min(...done));
  }, 120_000);

  it('keeps cache mounts across builds and secrets out of the result', async () => {
    const dir = context({
      Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN --mount=type=cache,target=/c echo x >> /c/log && wc -l < /c/log > /count\nRUN --mount=type=secret,id=tok cat /run/secrets/tok > /dev/null && ls /run/secrets > /listing || true\n',
    });
    const secret = join(dir, 'tok.txt');
    writeFileSync(secret, 's3cret\n');
    await build(dir, ['--secret', `id=tok,src=${secret}`]);
    const out = join(dir, 'out');
    await build(dir, ['--no-cache', '--secret', `id=tok,src=${secret}`, '--output', `type=local,dest=${out}`]);
    expect(readFileSync(join(out, 'count'), 'utf8').trim()).toBe('2');
    expect(existsSync(join(out, 'run', 'secrets', 'tok'))).toBe(false);
  }, 120_000);

  it('reports a failing step with its exit code, its line and its last log lines', async () => {
    const dir = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN echo about to fail && exit 7\n' });
    const r = await build(dir, [], { reject: false });
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('exit code: 7');
    expect(r.stderr).toContain('about to fail');
    expect(r.stderr).toMatch(/Dockerfile:2:1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 120_000);

  it('never reads outside the context or writes outside the rootfs', async () => {
    const dir = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nCOPY ../../etc/passwd /stolen\nRUN ln -s /etc /escape\nCOPY app /escape/kiln-wrote-here\n', app: 'x\n' });
    const r = await build(dir, ['--output', `type=local,dest=${join(dir, 'out')}`], { reject: false });
    expect(existsSync('/etc/kiln-wrote-here')).toBe(false);
    if (r.exitCode === 0) expect(readFileSync(join(dir, 'out', 'stolen'), 'utf8')).not.toBe(readFileSync('/etc/passwd', 'utf8'));
  }, 120_000);

  it('lets two builds share one root', async () => {
    const a = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN echo one > /one\n' });
    const b = context({ Dockerfile: 'FROM localhost:5000/busybox:latest\nRUN echo two > /two\n' });
    const [ra, rb] = await Promise.all([build(a, ['--no-cache']), build(b, ['--no-cache'])]);
    expect([ra.exitCode, rb.exitCode]).toEqual([0, 0]);
  }, 120_000);
});
