// Benchmark: whole builds of the Dockerfiles in bench/fixtures/ with kiln and, when they
// are found, with a standalone buildkitd (buildctl), Docker's BuildKit and Docker's legacy
// builder (on a dockerd this bench starts and stops itself, loopback only). For each case:
// a cold build, a no-op rebuild, a rebuild after editing one copied file and, for the big
// context, a rebuild after touching a file without changing it. Prints times and tool/kiln.
// Run (as root): npm run compile && node dist/bench/build-bench.js
// Environment: BUILDKIT_HOST (default unix:///tmp/bk/buildkitd.sock), KILN_BENCH_BUILDCTL,
// KILN_BENCH_DOCKERD, KILN_BENCH_DOCKER, KILN_BENCH_TIMEOUT (s per build, default 120),
// KILN_BENCH_BUDGET (s after which no build starts, default 480), KILN_BENCH_SCRATCH
// (contexts and outputs, default /dev/shm), KILN_BENCH_KEEP=1 keeps the temp dirs,
// KILN_BENCH_NOOP_RUNS (no-op rebuilds under 2 s per tool, the median reported; default 5),
// KILN_BENCH_COLD_RUNS (cold builds under 5 s per tool, each from a fresh stamp and state, the
// median reported; default 3).
import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const here = dirname(fileURLToPath(import.meta.url));
const root = existsSync(join(here, 'fixtures')) ? resolve(here, '..') : resolve(here, '..', '..'); // bench/ or dist/bench/
const fixtures = join(root, 'bench', 'fixtures');
const shared = process.env.KILN_SHARED ?? join(root, '..', 'shared');
const layout = join(shared, 'corpus', 'images', 'busybox-oci');
const baseRef = 'localhost:5000/busybox:latest';
const timeoutMs = Number(process.env.KILN_BENCH_TIMEOUT ?? 120) * 1000;
const deadline = Date.now() + Number(process.env.KILN_BENCH_BUDGET ?? 480) * 1000;
const stop = new AbortController();
const noopRuns = Math.max(1, Number(process.env.KILN_BENCH_NOOP_RUNS ?? 5));
const coldRuns = Math.max(1, Number(process.env.KILN_BENCH_COLD_RUNS ?? 3));

/** One measured step: a fresh build, or a rebuild after a change to the context. */
type Step = 'cold' | 'no-op' | 'edit one file' | 'touch a file';

/** A benchmark case: a fixture Dockerfile, the context the bench writes beside it, what to check. */
interface BenchCase {
  readonly id: string;
  readonly steps: readonly Step[];
  /** Context path the `edit one file` step rewrites, and the `touch a file` step's. */
  readonly editPath: string;
  readonly touchPath?: string;
  /** Extra context files beside the Dockerfile and stamp.txt. */
  readonly populate?: (ctx: string) => void;
  /** Files the exported tree must hold after every build (paths in the output, expected text). */
  readonly expect: (ctx: string) => ReadonlyArray<readonly [string, string]>;
  readonly expectCount?: readonly [string, number];
}

const fileCount = 20_000;
const cases: readonly BenchCase[] = [
  {
    id: 'parallel-stages', steps: ['cold', 'no-op', 'edit one file'], editPath: 'stamp.txt',
    expect: (ctx) => [['a', 'a\n'], ['b', 'b\n'], ['c', 'c\n'], ['stamp', read(ctx, 'stamp.txt')]],
  },
  {
    id: 'many-runs', steps: ['cold', 'no-op', 'edit one file'], editPath: 'stamp.txt',
    expect: (ctx) => [['log', Array.from({ length: 30 }, (_, i) => `${i + 1}\n`).join('')], ['stamp', read(ctx, 'stamp.txt')]],
  },
  {
    id: 'big-context', steps: ['cold', 'no-op', 'edit one file', 'touch a file'],
    editPath: 'files/d123/f045.txt', touchPath: 'files/d007/f007.txt',
    populate: (ctx) => {
      for (let d = 0; d < fileCount / 100; d++) {
        const dir = join(ctx, 'files', `d${String(d).padStart(3, '0')}`);
        mkdirSync(dir, { recursive: true });
        for (let f = 0; f < 100; f++) writeFileSync(join(dir, `f${String(f).padStart(3, '0')}.txt`), `file ${d}/${f}\n`);
      }
    },
    expect: (ctx) => [['src/stamp.txt', read(ctx, 'stamp.txt')], ['src/files/d123/f045.txt', read(ctx, 'files/d123/f045.txt')]],
    expectCount: ['src/files', fileCount],
  },
];

function read(dir: string, path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

/** How one process run ended. */
interface RunResult {
  readonly ok: boolean;
  readonly ms: number;
  readonly output: string;
  readonly why?: string;
}

/** Runs a command in its own process group, killing the group at the timeout or on abort. */
function run(cmd: string, args: readonly string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((done) => {
    const start = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const keep = (b: Buffer): void => {
      output += b.toString();
      if (output.length > 256_000) output = output.slice(-128_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    let why: string | undefined;
    const kill = (reason: string): void => {
      why = reason;
      if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    };
    const timer = setTimeout(() => kill(`timed out after ${(opts.timeoutMs / 1000).toFixed(0)}s`), opts.timeoutMs);
    const onAbort = (): void => kill('interrupted');
    stop.signal.addEventListener('abort', onAbort, { once: true });
    const finish = (code: number | null, err?: Error): void => {
      clearTimeout(timer);
      stop.signal.removeEventListener('abort', onAbort);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      why ??= err ? err.message : code === 0 ? undefined : `exit ${code ?? 'by signal'}`;
      done(why === undefined ? { ok: true, ms, output } : { ok: false, ms, output, why });
    };
    child.on('error', (err) => finish(null, err));
    child.on('close', (code) => finish(code));
  });
}

/** The first executable among `candidates`, then `name` on PATH. */
function which(name: string, candidates: ReadonlyArray<string | undefined> = []): string | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  for (const p of [...candidates, ...dirs.map((d) => join(d, name))]) {
    if (!p) continue;
    try { accessSync(p, constants.X_OK); return p; } catch { /* next */ }
  }
  return undefined;
}

/** A tool under test: how it builds a context into `out`, with its state in `state`. */
interface Tool {
  readonly name: string;
  readonly build: (c: BenchCase, ctx: string, out: string, state: string, ms: number) => Promise<RunResult>;
  /** Whether it exports a local tree the bench can check (Docker's builders tag an image instead). */
  readonly exportsTree: boolean;
  readonly cachedPattern: RegExp;
}

/** A peer that is missing, with why; it gets 'not found' cells. */
interface Missing { readonly name: string; readonly why: string }

const buildkitCached = /^#\d+ CACHED$/gm;

function kilnTool(): Tool {
  // The executable users run: the bundled CLI.
  const kiln = join(root, 'dist', 'bundle', 'kiln');
  return {
    name: 'kiln', exportsTree: true, cachedPattern: buildkitCached,
    build: async (_c, ctx, out, state, ms) => {
      // A fresh state dir first gets the base image, untimed, as `docker load` gives Docker's
      // builders theirs (unpacked, like theirs).
      if (!existsSync(join(state, 'state.db'))) {
        const load = await run(kiln, ['image', 'load', layout, '--name', baseRef, '--root', state], { timeoutMs: ms });
        if (!load.ok) return load;
      }
      return run(kiln, ['build', ctx, '--root', state, '--platform', 'linux/amd64', '--progress', 'plain',
        '--output', `type=local,dest=${out}`], { timeoutMs: ms });
    },
  };
}

async function buildctlTool(): Promise<Tool | Missing> {
  const name = 'buildkitd';
  const host = process.env.BUILDKIT_HOST ?? 'unix:///tmp/bk/buildkitd.sock';
  const buildctl = which('buildctl', [process.env.KILN_BENCH_BUILDCTL, '/tmp/bk/bin/buildctl']);
  if (!buildctl) return { name, why: 'buildctl not found (PATH, KILN_BENCH_BUILDCTL)' };
  const probe = await run(buildctl, ['--addr', host, 'debug', 'workers'], { timeoutMs: 10_000 });
  if (!probe.ok) return { name, why: `no buildkitd answering at ${host}` };
  return {
    name, exportsTree: true, cachedPattern: buildkitCached,
    build: (_c, ctx, out, _state, ms) => run(buildctl, ['--addr', host, 'build', '--frontend', 'dockerfile.v0',
      '--local', `context=${ctx}`, '--local', `dockerfile=${ctx}`, '--opt', 'platform=linux/amd64',
      '--progress', 'plain', '--output', `type=local,dest=${out}`], { timeoutMs: ms }),
  };
}

/** A dockerd this bench started: its socket, client and how to stop it. */
interface Dockerd { readonly client: string; readonly env: NodeJS.ProcessEnv; readonly stop: () => Promise<void> }

/** Version word of `docker --version` / `dockerd --version` ("Docker version 20.10.24+dfsg1, build …"). */
async function dockerVersion(bin: string): Promise<string | undefined> {
  const r = await run(bin, ['--version'], { timeoutMs: 10_000 });
  return r.ok ? /version ([^,\s]+)/.exec(r.output)?.[1] : undefined;
}

/** Starts a private dockerd (no bridge, no iptables, state under `dir`) and loads the base image into it. */
async function startDockerd(dir: string): Promise<Dockerd | string> {
  const dockerd = which('dockerd', [process.env.KILN_BENCH_DOCKERD]);
  if (!dockerd) return 'dockerd not found (apt-get install docker.io, or KILN_BENCH_DOCKERD)';
  const skopeo = which('skopeo');
  if (!skopeo) return 'skopeo not found (apt-get install skopeo), needed to load the base image';
  // Docker CLI 23+ builds with BuildKit only through buildx; the client shipped with the
  // daemon still has BuildKit built in, so prefer a client whose version matches dockerd's.
  const daemonVersion = await dockerVersion(dockerd);
  const clients = [process.env.KILN_BENCH_DOCKER, join(dirname(dockerd), 'docker'), '/usr/bin/docker', which('docker')].filter((c): c is string => !!c && existsSync(c));
  let client = process.env.KILN_BENCH_DOCKER ?? clients[0];
  for (const c of clients) if (!process.env.KILN_BENCH_DOCKER && (await dockerVersion(c)) === daemonVersion) { client = c; break; }
  if (!client) return 'docker client not found';
  const sock = join(dir, 'docker.sock');
  mkdirSync(join(dir, 'config'), { recursive: true });
  const env = { ...process.env, DOCKER_HOST: `unix://${sock}`, DOCKER_CONFIG: join(dir, 'config') };
  const log = openSync(join(dir, 'dockerd.log'), 'w');
  const daemon = spawn(dockerd, ['--bridge=none', '--iptables=false', '--ip6tables=false', '--data-root', join(dir, 'data'),
    '--exec-root', join(dir, 'exec'), '--host', `unix://${sock}`, '--pidfile', join(dir, 'dockerd.pid')], { detached: true, stdio: ['ignore', log, log] });
  closeSync(log);
  const exited = new Promise<void>((r) => daemon.once('exit', () => r()));
  const stopDaemon = async (): Promise<void> => {
    if (daemon.exitCode !== null || daemon.signalCode !== null || daemon.pid === undefined) return;
    process.kill(daemon.pid, 'SIGTERM'); // dockerd stops its containerd and unmounts on SIGTERM
    const timer = setTimeout(() => { try { process.kill(-daemon.pid!, 'SIGKILL'); } catch { /* gone */ } }, 20_000);
    await exited;
    clearTimeout(timer);
  };
  const fail = async (why: string): Promise<string> => {
    await stopDaemon();
    return `${why} (see ${join(dir, 'dockerd.log')})`;
  };
  let up = false;
  for (let i = 0; i < 60 && !up && daemon.exitCode === null; i++) {
    up = (await run(client, ['version'], { env, timeoutMs: 5_000 })).ok;
    if (!up) await new Promise((r) => setTimeout(r, 500));
  }
  if (!up) return fail('dockerd did not start');
  const tar = join(dir, 'busybox.tar');
  const copy = await run(skopeo, ['copy', '--quiet', `oci:${layout}:latest`, `docker-archive:${tar}:${baseRef}`], { timeoutMs: 60_000 });
  if (!copy.ok) return fail(`skopeo copy failed: ${copy.output.trim()}`);
  const load = await run(client, ['load', '-i', tar], { env, timeoutMs: 60_000 });
  if (!load.ok) return fail(`docker load failed: ${load.output.trim()}`);
  return { client, env, stop: stopDaemon };
}

function dockerTool(d: Dockerd, buildkit: boolean): Tool {
  const env = { ...d.env, DOCKER_BUILDKIT: buildkit ? '1' : '0' };
  return {
    name: buildkit ? 'docker-buildkit' : 'docker-legacy', exportsTree: false,
    cachedPattern: buildkit ? buildkitCached : /^ ---> Using cache$/gm,
    build: (c, ctx, _out, _state, ms) => run(d.client, ['build', '--network=none', '-t', `kiln-bench/${c.id}:${buildkit ? 'bk' : 'legacy'}`,
      ...(buildkit ? ['--progress=plain'] : []), ctx], { env, timeoutMs: ms }),
  };
}

/** Writes a fresh context for one tool: the fixture Dockerfile, a random stamp.txt (so no
 * earlier run's cache can answer the cold build, even on a shared buildkitd), the case's files. */
function prepare(c: BenchCase, ctx: string): void {
  mkdirSync(ctx, { recursive: true });
  copyFileSync(join(fixtures, c.id, 'Dockerfile'), join(ctx, 'Dockerfile'));
  writeFileSync(join(ctx, 'stamp.txt'), `${randomBytes(8).toString('hex')}\n`);
  c.populate?.(ctx);
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) n += e.isDirectory() ? countFiles(join(dir, e.name)) : 1;
  return n;
}

/** What is wrong with an exported tree, or undefined. */
function check(c: BenchCase, ctx: string, out: string): string | undefined {
  for (const [path, want] of c.expect(ctx)) {
    const p = join(out, path);
    if (!existsSync(p)) return `${path} missing from the output`;
    const got = readFileSync(p, 'utf8');
    if (got !== want) return `${path} is ${JSON.stringify(got.slice(0, 60))}, want ${JSON.stringify(want.slice(0, 60))}`;
  }
  if (c.expectCount) {
    const [path, want] = c.expectCount;
    const got = existsSync(join(out, path)) ? countFiles(join(out, path)) : 0;
    if (got !== want) return `${path} holds ${got} files, want ${want}`;
  }
  return undefined;
}

/** A measured build: its time, or why there is none. */
type Cell = { readonly ms: number; readonly cached: number } | { readonly fail: string };
const cells = new Map<string, Cell>();
const failures: string[] = [];
const key = (c: string, s: Step, t: string): string => `${c}\0${s}\0${t}`;

/** Applies a step's change to a context before the rebuild. */
function mutate(c: BenchCase, step: Step, ctx: string): void {
  if (step === 'edit one file') writeFileSync(join(ctx, c.editPath), `edited ${randomBytes(4).toString('hex')}\n`);
  if (step === 'touch a file' && c.touchPath) {
    const later = Date.now() / 1000 + 3600;
    utimesSync(join(ctx, c.touchPath), later, later);
  }
}

/** Builds one step with one tool and records the cell; false when the tool's later steps are moot. */
async function measure(c: BenchCase, step: Step, tool: Tool, dirs: { ctx: string; out: string; state: string }): Promise<boolean> {
  const left = deadline - Date.now();
  if (left < 5_000 || stop.signal.aborted) {
    cells.set(key(c.id, step, tool.name), { fail: stop.signal.aborted ? 'skipped (interrupted)' : 'skipped (time budget)' });
    return true;
  }
  mutate(c, step, dirs.ctx);
  rmSync(dirs.out, { recursive: true, force: true });
  const limit = Math.min(timeoutMs, left);
  let r = await tool.build(c, dirs.ctx, dirs.out, dirs.state, limit);
  // A short build's median over several runs, for every tool alike, so one noisy start-up
  // does not decide the ratio: a no-op rebuild changes nothing; a cold one starts again from a
  // fresh stamp (a cache miss for every tool) and, for kiln, a fresh state dir.
  const repeat = step === 'no-op' ? noopRuns : step === 'cold' ? coldRuns : 1;
  if (repeat > 1 && r.ok && r.ms < (step === 'cold' ? 5_000 : 2_000)) {
    const runs = [r];
    for (let i = 1; i < repeat && Date.now() < deadline; i++) {
      if (step === 'cold') {
        writeFileSync(join(dirs.ctx, 'stamp.txt'), `${randomBytes(8).toString('hex')}\n`);
        await removeTree(dirs.state);
      }
      rmSync(dirs.out, { recursive: true, force: true });
      const again = await tool.build(c, dirs.ctx, dirs.out, dirs.state, limit);
      if (!again.ok) { r = again; break; }
      runs.push(again);
    }
    if (r.ok) r = runs.sort((a, b) => a.ms - b.ms)[Math.floor((runs.length - 1) / 2)]!;
  }
  const problem = r.ok && tool.exportsTree ? check(c, dirs.ctx, dirs.out) : undefined;
  const name = tool.name.padEnd(16);
  if (!r.ok && limit < timeoutMs && r.ms >= limit) {
    cells.set(key(c.id, step, tool.name), { fail: 'cut (time budget)' });
    console.error(`  ${name} ${step}: cut at the time budget`);
    return false;
  }
  if (!r.ok || problem) {
    const why = r.why ?? `wrong output: ${problem}`;
    cells.set(key(c.id, step, tool.name), { fail: 'FAILED' });
    failures.push(`${tool.name} ${c.id} ${step}: ${why}\n${r.output.trim().split('\n').slice(-15).join('\n')}`);
    console.error(`  ${name} ${step}: FAILED (${why})`);
    return r.ok; // after a failed build the later steps would measure a broken state
  }
  const cached = r.output.match(tool.cachedPattern)?.length ?? 0;
  cells.set(key(c.id, step, tool.name), { ms: r.ms, cached });
  console.error(`  ${name} ${step}: ${(r.ms / 1000).toFixed(2)}s (${cached} steps cached)`);
  return true;
}

/** Runs one case step by step, each step with every tool in turn (kiln first), so a run cut
 * short by the time budget still has the early steps of every tool. */
async function benchCase(c: BenchCase, tools: readonly Tool[], scratch: string, state: string): Promise<void> {
  const dirs = tools.map((t) => ({ ctx: join(scratch, c.id, t.name, 'ctx'), out: join(scratch, c.id, t.name, 'out'), state: join(state, c.id, t.name) }));
  if (Date.now() < deadline) dirs.forEach((d) => prepare(c, d.ctx)); // else every step is skipped
  const live = new Set(tools);
  for (const step of c.steps) {
    for (const [i, tool] of tools.entries()) {
      if (!live.has(tool)) cells.set(key(c.id, step, tool.name), { fail: 'skipped' });
      else if (!(await measure(c, step, tool, dirs[i]!))) live.delete(tool);
    }
  }
  await removeTree(join(scratch, c.id));
  await removeTree(join(state, c.id));
}

function table(tools: readonly string[], missing: ReadonlyMap<string, string>): string {
  const head = ['case', 'step', ...tools];
  const rows: string[][] = [];
  for (const c of cases) {
    for (const step of c.steps) {
      const kiln = cells.get(key(c.id, step, 'kiln'));
      rows.push([c.id, step, ...tools.map((t) => {
        if (missing.has(t)) return 'not found';
        const cell = cells.get(key(c.id, step, t));
        if (!cell) return '-';
        if ('fail' in cell) return cell.fail;
        const s = `${(cell.ms / 1000).toFixed(2)}s`;
        return t === 'kiln' || !kiln || 'fail' in kiln ? s : `${s} (${(cell.ms / kiln.ms).toFixed(2)}x)`;
      })]);
    }
  }
  const width = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]): string => r.map((v, i) => (i < 2 ? v.padEnd(width[i]!) : v.padStart(width[i]!))).join('  ').trimEnd();
  return [line(head), line(width.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Unmounts whatever a build left mounted under `dir` (deepest first), then removes it. */
async function removeTree(dir: string): Promise<void> {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').map((l) => l.split(' ')[1] ?? '')
    .map((m) => m.replace(/\\040/g, ' ')).filter((m) => m === dir || m.startsWith(`${dir}/`)).sort((a, b) => b.length - a.length);
  for (const m of mounts) await run('umount', ['-l', m], { timeoutMs: 10_000 });
  rmSync(dir, { recursive: true, force: true });
}

/** Where contexts and outputs go: KILN_BENCH_SCRATCH, else /dev/shm when writable, else the temp dir. */
function scratchBase(): string {
  const candidates = [process.env.KILN_BENCH_SCRATCH, '/dev/shm'];
  for (const c of candidates) {
    if (!c) continue;
    try { accessSync(c, constants.W_OK); return c; } catch { /* next */ }
  }
  return tmpdir();
}

async function main(): Promise<number> {
  if (process.getuid?.() !== 0) {
    console.log('build-bench: kiln build needs root (runc, overlay mounts); skipped');
    return 0;
  }
  const tmp = mkdtempSync(join(tmpdir(), 'kiln-build-bench-'));
  // Contexts and exported trees on tmpfs when there is one: deleting 20,000 files between
  // builds on a disk mounted with discard takes seconds. Tool state stays on disk.
  const scratch = mkdtempSync(join(scratchBase(), 'kiln-build-bench-'));
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const missing = new Map<string, string>();
  let dockerd: Dockerd | undefined;
  try {
    const tools: Tool[] = [kilnTool()];
    const bk = await buildctlTool();
    if ('build' in bk) tools.push(bk); else missing.set(bk.name, bk.why);
    console.error('starting a private dockerd …');
    const d = await startDockerd(join(tmp, 'docker'));
    if (typeof d === 'string') {
      missing.set('docker-buildkit', d);
      missing.set('docker-legacy', d);
    } else {
      dockerd = d;
      tools.push(dockerTool(d, true), dockerTool(d, false));
    }
    for (const c of cases) {
      console.error(`${c.id}:`);
      await benchCase(c, tools, scratch, tmp);
    }
    const names = ['kiln', 'buildkitd', 'docker-buildkit', 'docker-legacy'];
    console.log(`\nwall-clock seconds per build; (Nx) = tool time / kiln time, below 1 means the peer is faster\n`);
    console.log(table(names, missing));
    console.log('\nkiln and buildkitd export a local tree (type=local); Docker\'s builders tag an image instead.');
    console.log(`cold = fresh stamp.txt in a fresh context (and a fresh state dir for kiln), the median of ${coldRuns} under 5 s; the base image is already local to every tool.`);
    console.log(`contexts and exported trees under ${scratch}; tool state on disk under ${tmp} (buildkitd keeps its own).`);
    for (const [name, why] of missing) console.log(`${name}: not found: ${why}`);
    if (failures.length > 0) console.log(`\nfailures:\n\n${failures.join('\n\n')}`);
    const kilnFailed = [...cells].some(([k, v]) => k.endsWith('\0kiln') && 'fail' in v && v.fail === 'FAILED');
    return kilnFailed ? 1 : 0;
  } finally {
    await dockerd?.stop();
    if (process.env.KILN_BENCH_KEEP === '1') console.error(`kept ${tmp} and ${scratch}`);
    else await Promise.all([removeTree(tmp), removeTree(scratch)]);
  }
}

process.exitCode = await main();
