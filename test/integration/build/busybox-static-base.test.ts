import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { hostBusybox, writeBusyboxStaticLayout } from '../../support/busybox-static-image.js';
import { kilnBin } from '../../support/kiln-cli.js';

// A base image made at test time from Debian's busybox-static (no registry, no
// corpus image): loaded into the store, then a multi-stage Dockerfile builds on it
// with shell features, an unprivileged USER, COPY, COPY --from and WORKDIR, and a
// second build is all cache. Root + runc + /bin/busybox only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync(hostBusybox);
const IMAGE = 'kiln.test/busybox-static:1';

const DOCKERFILE = `FROM ${IMAGE} AS build
WORKDIR /work
RUN set -e; for i in 1 2 3; do echo "line $i"; done > lines.txt; \\
    n=$(wc -l < lines.txt); echo "count=$((n * 2))" > count.txt; \\
    case "$(head -n 1 lines.txt)" in "line 1") echo first > case.txt ;; *) echo other > case.txt ;; esac; \\
    echo "built $(cat count.txt)"

FROM ${IMAGE}
ENV GREETING=hello
WORKDIR /srv/app
COPY greeting.txt ./
COPY --from=build /work/lines.txt /work/count.txt /work/case.txt ./built/
RUN echo "$GREETING from $(pwd)" > where.txt && mkdir data && chown app:app data
USER app
RUN id -u > data/uid && id -g > data/gid && id -un > data/user \\
    && stat -c %u:%g /home/app > data/home-owner \\
    && { touch /root-writable 2>/dev/null && echo yes || echo no; } > data/root-writable
WORKDIR /srv/app/data/made
RUN pwd > /srv/app/data/pwd && stat -c %u . > /srv/app/data/workdir-owner
`;

/** Steps of `--progress plain` output: `#N name`, then `#N CACHED` or `#N DONE 0.1s`. */
function steps(stderr: string): { name: string; status: string }[] {
  const byN = new Map<string, { name: string; status: string }>();
  for (const line of stderr.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(line);
    if (!m) continue;
    const [, n, rest] = m as unknown as [string, string, string];
    const step = byN.get(n);
    if (!step) byN.set(n, { name: rest, status: 'started' });
    else if (rest === 'CACHED' || rest.startsWith('DONE') || rest.startsWith('ERROR')) step.status = rest.split(' ')[0] ?? rest;
  }
  return [...byN.values()];
}

(canRun ? describe : describe.skip)('a busybox-static base image made at test time', () => {
  let work = '', root = '', ctx = '';

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'kiln-bbstatic-'));
    [root, ctx] = [join(work, 'root'), join(work, 'ctx')];
    const layout = join(work, 'layout');
    const digest = await writeBusyboxStaticLayout(layout);
    const loaded = await execa(kilnBin, ['image', 'load', layout, '--name', IMAGE, '--root', root]);
    expect(loaded.stdout).toContain(digest);
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
    writeFileSync(join(ctx, 'greeting.txt'), 'hi from the context\n');
  }, 60_000);

  afterAll(() => work && rmSync(work, { recursive: true, force: true }));

  let firstSteps: { name: string; status: string }[] = [];
  const build = (dest: string) =>
    execa(kilnBin, ['build', '--root', root, '--progress', 'plain', '--output', `type=local,dest=${dest}`, ctx], { reject: false });

  it('builds a multi-stage Dockerfile on it and exports the tree', async () => {
    const out = join(work, 'out1');
    const r = await build(out);
    expect({ code: r.exitCode, stderr: r.exitCode === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
    firstSteps = steps(r.stderr);
    const runs = firstSteps.filter((s) => / RUN /.test(s.name));
    expect(runs.map((s) => s.status)).toEqual(['DONE', 'DONE', 'DONE', 'DONE']);
    expect(r.stderr).toMatch(/^#\d+ \d+\.\d{3} built count=6$/m); // the RUN's own output, as a plain log line
    const read = (p: string) => readFileSync(join(out, p), 'utf8');

    // The base image itself: busybox and its applet symlinks.
    expect(readFileSync(join(out, 'bin/busybox'))).toEqual(readFileSync(hostBusybox));
    expect(lstatSync(join(out, 'bin/sh')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(out, 'bin/sh'))).toBe('/bin/busybox');
    expect(read('etc/passwd')).toContain('app:x:1000:1000:');

    // COPY from the context into the WORKDIR, COPY --from the build stage.
    expect(read('srv/app/greeting.txt')).toBe('hi from the context\n');
    expect(read('srv/app/built/lines.txt')).toBe('line 1\nline 2\nline 3\n');
    expect(read('srv/app/built/count.txt')).toBe('count=6\n');
    expect(read('srv/app/built/case.txt')).toBe('first\n');
    expect(existsSync(join(out, 'work'))).toBe(false);

    // RUN in the WORKDIR with the ENV; then as USER app (1000), which may not write to /.
    expect(read('srv/app/where.txt')).toBe('hello from /srv/app\n');
    expect(read('srv/app/data/uid')).toBe('1000\n');
    expect(read('srv/app/data/gid')).toBe('1000\n');
    expect(read('srv/app/data/user')).toBe('app\n');
    expect(read('srv/app/data/home-owner')).toBe('1000:1000\n'); // ownership from the base layer
    expect(read('srv/app/data/root-writable')).toBe('no\n');
    expect(existsSync(join(out, 'root-writable'))).toBe(false);

    // A WORKDIR made after USER app exists and belongs to app, as in BuildKit.
    expect(read('srv/app/data/pwd')).toBe('/srv/app/data/made\n');
    expect(read('srv/app/data/workdir-owner')).toBe('1000\n');
  }, 180_000);

  it('answers a second build from the cache alone', async () => {
    const out = join(work, 'out2');
    const r = await build(out);
    expect(r.exitCode).toBe(0);
    const second = steps(r.stderr);
    // The same steps as the first build (4 RUN, 2 COPY, 3 WORKDIR, FROM, context), every one CACHED.
    expect(firstSteps.length).toBeGreaterThan(0);
    expect(second.map((s) => s.name).sort()).toEqual(firstSteps.map((s) => s.name).sort());
    expect(second.filter((s) => /\b(RUN|COPY|WORKDIR)\b/.test(s.name))).toHaveLength(9);
    expect(second.filter((s) => s.status !== 'CACHED')).toEqual([]);
    expect(r.stderr).not.toMatch(/^#\d+ \d+\.\d{3} /m); // no step logged output: nothing ran
    expect(readFileSync(join(out, 'srv/app/data/uid'), 'utf8')).toBe('1000\n');
  }, 120_000);
});
