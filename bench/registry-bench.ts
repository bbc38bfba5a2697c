// Benchmark: the two registry scenarios of issue 5, kiln beside a standalone buildkitd when one
// answers. (1) A cold build that exports its cache to a registry, then the same build on an
// empty state importing it: the ratio cold/imported (target: at least 9x). (2) Exporting a
// 1 GiB image as an OCI tar from a cached build: time, and kiln's peak RSS (target: well under
// 300 MiB). Starts Debian's docker-registry on a free loopback port.
// Run (as root): npm run compile && node dist/bench/registry-bench.js
// Environment: BUILDKIT_HOST (default unix:///tmp/bk/buildkitd.sock), KILN_BENCH_BUILDCTL,
// KILN_BENCH_SCRATCH (default /dev/shm), KILN_BENCH_BIG_MIB (default 1024).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';

const here = dirname(fileURLToPath(import.meta.url));
const root = existsSync(join(here, 'fixtures')) ? resolve(here, '..') : resolve(here, '..', '..');
const kiln = join(root, 'dist', 'bundle', 'kiln');
const layout = join(process.env.KILN_SHARED ?? join(root, '..', 'shared'), 'corpus', 'images', 'busybox-oci');
const baseRef = 'localhost:5000/busybox:latest';
const scratch = mkdtempSync(join(process.env.KILN_BENCH_SCRATCH ?? '/dev/shm', 'kiln-registry-bench-'));
const bigMiB = Number(process.env.KILN_BENCH_BIG_MIB ?? 1024);
const buildkitHost = process.env.BUILDKIT_HOST ?? 'unix:///tmp/bk/buildkitd.sock';
const buildctl = [process.env.KILN_BENCH_BUILDCTL, '/tmp/bk/bin/buildctl', '/usr/bin/buildctl', '/usr/local/bin/buildctl'].find((p) => p && existsSync(p));

/** Runs a command; its wall time, and its peak RSS in KiB when measured through GNU time. */
function timed(cmd: string, args: string[], opts: { rss?: boolean } = {}): { ok: boolean; s: number; rssKiB?: number; out: string } {
  const start = process.hrtime.bigint();
  const r = opts.rss
    ? spawnSync('/usr/bin/time', ['-f', 'KILN_RSS=%M', cmd, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 })
    : spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const s = Number(process.hrtime.bigint() - start) / 1e9;
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const rss = /KILN_RSS=(\d+)/.exec(out)?.[1];
  return { ok: r.status === 0, s, ...(rss ? { rssKiB: Number(rss) } : {}), out };
}

function must(r: { ok: boolean; out: string }, what: string): void {
  if (!r.ok) throw new Error(`${what} failed:\n${r.out.split('\n').slice(-15).join('\n')}`);
}

async function freePort(): Promise<number> {
  return new Promise((ok) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => ok(p));
    });
  });
}

async function startRegistry(): Promise<{ host: string; stop: () => void }> {
  const dir = join(scratch, 'registry');
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  writeFileSync(join(dir, 'config.yml'), `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const child = spawn('/usr/bin/docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  for (let i = 0; i < 100 && !(await fetch(`http://${host}/v2/`).then((r) => r.ok, () => false)); i++) await sleep(100);
  return { host, stop: () => child.kill() };
}

function freshKilnRoot(name: string): string {
  const state = join(tmpdir(), `kiln-registry-bench-${name}-${process.pid}`);
  rmSync(state, { recursive: true, force: true });
  must(timed(kiln, ['image', 'load', layout, '--name', baseRef, '--root', state]), 'kiln image load');
  return state;
}

function context(name: string, dockerfile: string): string {
  const ctx = join(scratch, name);
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
  writeFileSync(join(ctx, 'stamp.txt'), `${Date.now()}-${Math.random()}\n`);
  return ctx;
}

const rows: string[][] = [];

/** Cold build exporting its cache, then an empty state importing it; the same with buildkitd. */
function cacheScenario(fixture: string, host: string): void {
  const dockerfile = readFileSync(join(root, 'bench', 'fixtures', fixture, 'Dockerfile'), 'utf8');
  const ctx = context(`cache-${fixture}`, dockerfile);
  const ref = `${host}/bench/kiln-${fixture}:1`;
  const cold = timed(kiln, ['build', ctx, '--root', freshKilnRoot('cold'), '--progress', 'plain', '--cache-to', `type=registry,ref=${ref},mode=max`]);
  must(cold, `kiln cold build of ${fixture}`);
  const warm = timed(kiln, ['build', ctx, '--root', freshKilnRoot('warm'), '--progress', 'plain', '--cache-from', `type=registry,ref=${ref}`, '--output', `type=local,dest=${join(scratch, `out-${fixture}`)}`]);
  must(warm, `kiln build of ${fixture} from the registry cache`);
  const ran = (warm.out.match(/^#\d+ \[.*\] RUN /gm) ?? []).length - (warm.out.match(/^#\d+ CACHED$/gm) ?? []).length;
  rows.push(['kiln', `${fixture}: cold + cache export`, fmt(cold.s), '']);
  rows.push(['kiln', `${fixture}: empty state, --cache-from`, fmt(warm.s), `${(cold.s / warm.s).toFixed(1)}x faster than cold${ran > 0 ? ` (${ran} RUNs ran!)` : ''}`]);
  if (!buildctl) {
    rows.push(['buildkitd', '-', 'not found', 'no buildctl']);
    return;
  }
  const bk = (args: string[]) => timed(buildctl, ['--addr', buildkitHost, ...args]);
  const bctx = context(`cache-bk-${fixture}`, dockerfile);
  const bref = `${host}/bench/bk-${fixture}:1`;
  const common = ['build', '--frontend', 'dockerfile.v0', '--local', `context=${bctx}`, '--local', `dockerfile=${bctx}`, '--progress', 'plain'];
  bk(['prune', '--all']);
  const bcold = bk([...common, '--export-cache', `type=registry,ref=${bref},mode=max,registry.insecure=true`]);
  if (!bcold.ok) {
    rows.push(['buildkitd', `${fixture}: cache export`, 'FAILED', bcold.out.slice(-300)]);
    return;
  }
  bk(['prune', '--all']);
  const bwarm = bk([...common, '--import-cache', `type=registry,ref=${bref},registry.insecure=true`, '--output', `type=local,dest=${join(scratch, `out-bk-${fixture}`)}`]);
  rows.push(['buildkitd', `${fixture}: cold + cache export`, fmt(bcold.s), `kiln/buildkitd ${(cold.s / bcold.s).toFixed(2)}`]);
  rows.push(['buildkitd', `${fixture}: empty cache, --import-cache`, bwarm.ok ? fmt(bwarm.s) : 'FAILED',
    bwarm.ok ? `${(bcold.s / bwarm.s).toFixed(1)}x faster than cold; kiln/buildkitd ${(warm.s / bwarm.s).toFixed(2)}` : bwarm.out.slice(-300)]);
}
const fmt = (s: number) => `${s.toFixed(2)}s`;

async function main(): Promise<void> {
  const registry = await startRegistry();
  try {
    // (1) Registry cache: cold with export, then an empty state importing it, per fixture.
    for (const fixture of ['ci-build', 'many-runs']) cacheScenario(fixture, registry.host);

    // (2) A 1 GiB layer exported as an OCI tar, the build itself cached first.
    const big = context('big', `FROM ${baseRef}\nRUN head -c ${bigMiB * 1024 * 1024} /dev/urandom > /big\n`);
    const state = freshKilnRoot('big');
    must(timed(kiln, ['build', big, '--root', state, '--progress', 'plain']), 'kiln big build');
    const out = join(scratch, 'big-kiln.tar');
    const exp = timed(kiln, ['build', big, '--root', state, '--progress', 'plain', '--output', `type=oci,dest=${out}`], { rss: true });
    must(exp, 'kiln export');
    rows.push(['kiln', `export ${bigMiB} MiB image (oci tar)`, fmt(exp.s), `peak RSS ${((exp.rssKiB ?? 0) / 1024).toFixed(0)} MiB`]);
    rmSync(out, { force: true });
    if (buildctl) {
      const common = ['--addr', buildkitHost, 'build', '--frontend', 'dockerfile.v0', '--local', `context=${big}`, '--local', `dockerfile=${big}`, '--progress', 'plain'];
      must(timed(buildctl, common), 'buildkitd big build');
      const bout = join(scratch, 'big-bk.tar');
      const bexp = timed(buildctl, [...common, '--output', `type=oci,dest=${bout}`]);
      rows.push(['buildkitd', `export ${bigMiB} MiB image (oci tar)`, bexp.ok ? fmt(bexp.s) : 'FAILED', bexp.ok ? `kiln/buildkitd ${(exp.s / bexp.s).toFixed(2)}` : bexp.out.slice(-200)]);
      rmSync(bout, { force: true });
    }
    rmSync(state, { recursive: true, force: true });
  } finally {
    registry.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => (r[i] ?? '').length), 4));
  console.log('\nregistry scenarios (wall-clock seconds)\n');
  for (const r of rows) console.log(r.map((c, i) => (c ?? '').padEnd(widths[i]!)).join('  '));
}

await main();

