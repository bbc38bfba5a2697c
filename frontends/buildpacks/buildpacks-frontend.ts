import { parse, stringify } from 'smol-toml';
import { KilnError, llb } from '../../compiler/index.js';
import type { Frontend, FrontendRequest, FrontendResult, Gateway, ImageConfig } from '../../compiler/index.js';
import { buildScript, detectScript } from './cnb-scripts.js';
import { parseProject } from './parse-project.js';
import type { GroupEntry } from './parse-project.js';

type Ref = Awaited<ReturnType<Gateway['solve']>>;
interface PlanEntry { readonly name: string; readonly metadata?: Record<string, unknown> }
interface Plan { readonly provides?: { name: string }[]; readonly requires?: PlanEntry[] }

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

/** An image pinned by digest, with its config (ENV, WORKDIR, USER) for the steps run on it. */
async function pinned(ref: string, gw: Gateway, req: FrontendRequest): Promise<{ state: llb.State; config: ImageConfig }> {
  const r = await gw.resolveImageConfig(ref, req.platform);
  const c = r.config.config ?? {};
  const state = llb.image(r.digest ? `${ref}@${r.digest}` : ref, { config: { ...(c.Env ? { Env: c.Env } : {}), ...(c.WorkingDir ? { WorkingDir: c.WorkingDir } : {}) } });
  return { state, config: r.config };
}

/** Where a buildpack's files come from: a state and the directory in it. */
interface BuildpackSource {
  readonly state: llb.State;
  readonly dir: string;
}

/**
 * A buildpack of the group: a directory the project names (`uri`, sent as its own local
 * source), or one the build image carries by `id` at /cnb/buildpacks/<id>/<version> (the
 * CNB builder layout; without a version, the only or highest one there).
 */
async function buildpackSource(g: GroupEntry, req: FrontendRequest, builder: llb.State, gw: Gateway): Promise<BuildpackSource> {
  if (g.uri) {
    const state = llb.local(`dockerfile:${g.uri.replace(/^file:\/\//, '')}`, { ...(req.sessionId ? { sessionId: req.sessionId } : {}), customName: `[buildpacks] load ${g.uri}` });
    return { state, dir: '/' };
  }
  const base = `/cnb/buildpacks/${g.id!.replace(/\//g, '_')}`;
  let version = g.version;
  if (!version) {
    const ref = await gw.solve(await builder.marshal());
    const versions = (await gw.readDir(ref, base).catch(() => [])).map((e) => e.path).sort();
    if (versions.length === 0) throw new KilnError('buildpacks/not-in-builder', `buildpack ${g.id} has no uri and the build image has no ${base}/<version>: give it a uri (a directory)`);
    version = versions.at(-1)!;
  }
  return { state: builder, dir: `${base}/${version}` };
}

/** CNB's env file rules over files read from a result (for the image's launch env). */
function applyEnv(env: Map<string, string>, files: Map<string, string>): void {
  for (const [file, value] of files) {
    const dot = file.lastIndexOf('.');
    const [name, kind] = dot < 0 ? [file, 'override'] : [file.slice(0, dot), file.slice(dot + 1)];
    if (kind === 'delim') continue;
    const delim = files.get(`${name}.delim`) ?? '';
    const cur = env.get(name);
    if (kind === 'override') env.set(name, value);
    else if (kind === 'default') { if (!cur) env.set(name, value); }
    else if (kind === 'append') env.set(name, cur ? `${cur}${delim}${value}` : value);
    else if (kind === 'prepend') env.set(name, cur ? `${value}${delim}${cur}` : value);
  }
}

async function readEnvDir(gw: Gateway, ref: Ref, dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const entries = await gw.readDir(ref, dir).catch(() => []);
  for (const e of entries) if ((e.mode & 0o170000) === 0o100000) out.set(e.path, text(await gw.readFile(ref, `${dir}/${e.path}`)));
  return out;
}

/**
 * Cloud Native Buildpacks without a daemon: `project.toml` names buildpack directories; detect
 * runs them all in the build image (a nested solve) and keeps those that pass (a required one
 * failing fails the build with its name and log); each kept buildpack builds in its own step
 * with the CNB environment, as the non-root user; `cache = true` layers persist in cache
 * mounts per buildpack, `launch = true` layers and the app become the image's layers on the run
 * image, and launch.toml's processes its entrypoint.
 */
export const buildpacksFrontend: Frontend = {
  name: 'buildpacks',
  detect: (files) => files.includes('project.toml'),
  async build(req: FrontendRequest, gw: Gateway): Promise<FrontendResult> {
    const project = parseProject(text(req.source), req.filename);
    const [uid, gid] = (req.opts.user ?? '1000:1000').split(':').map(Number) as [number, number];
    if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new KilnError('buildpacks/bad-user', `--opt user must be UID:GID (got ${req.opts.user})`);
    const builderRef = req.opts.builder ?? project.builder;
    if (!builderRef) throw new KilnError('buildpacks/no-builder', `${req.filename}: no build image: set builder in [io.buildpacks], or --opt builder=IMAGE`);
    const builder = await pinned(builderRef, gw, req);
    const run = await pinned(req.opts['run-image'] ?? builderRef, gw, req);
    const owner = { user: uid, group: gid };
    const session = req.sessionId ? { sessionId: req.sessionId } : {};
    const app = llb.local('context', { ...session, ...(project.include ? { include: project.include } : {}), ...(project.exclude ? { exclude: project.exclude } : {}), customName: '[buildpacks] load app' });
    const workspace0 = llb.scratch().file(llb.copy(app, '/', '/workspace', { copyDirContentsOnly: true, createDestPath: true, owner }), { customName: '[buildpacks] app' });
    let platform = llb.scratch().file(llb.mkdir('/env', 0o755, { makeParents: true }));
    for (const e of project.buildEnv) platform = platform.file(llb.mkfile(`/env/${e.name}`, 0o644, e.value));
    const sources: BuildpackSource[] = [];
    for (const g of project.group) sources.push(await buildpackSource(g, req, builder.state, gw));

    // Detect: every buildpack of the group, in one step; kiln reads the results and decides.
    const detectMounts = sources.map((s, n) => ({ dest: `/cnb/buildpacks/${n}`, source: s.state, selector: s.dir, readonly: true }));
    const detected = builder.state.run({
      args: ['/bin/sh', '-c', detectScript(sources.length)], user: `${uid}:${gid}`, customName: '[buildpacks] detect',
      mounts: [...detectMounts, { dest: '/workspace', source: workspace0, selector: '/workspace', readonly: true }, { dest: '/platform', source: platform, readonly: true },
        { dest: '/out', source: llb.scratch().file(llb.mkdir('/out', 0o777)), selector: '/out' }],
    }).mount('/out');
    const ref = await gw.solve(await detected.marshal());
    const ids: string[] = [];
    const plans: Plan[] = [];
    const passed: number[] = [];
    for (const [n, g] of project.group.entries()) {
      const src = sources[n]!;
      const toml = parse(text(await gw.readFile(await gw.solve(await src.state.marshal()), `${src.dir}/buildpack.toml`))) as { buildpack?: { id?: string } };
      ids.push(toml.buildpack?.id ?? g.id ?? `buildpack-${n}`);
      const exit = Number(text(await gw.readFile(ref, `/out/${n}.exit`)).trim());
      const log = text(await gw.readFile(ref, `/out/${n}.log`)).trim();
      if (exit === 0) {
        passed.push(n);
        plans.push(parse(text(await gw.readFile(ref, `/out/${n}.plan.toml`))) as Plan);
      } else if (exit !== 100 || !g.optional) {
        throw new KilnError('buildpacks/detect-failed', `buildpack ${ids[n]} ${exit === 100 ? 'did not pass detect' : `failed detect with exit code ${exit}`}${log ? `:\n${log.split('\n').slice(-20).map((l) => `  ${l}`).join('\n')}` : ''}`);
      } else plans.push({});
    }

    // Build: one step per passing buildpack, in order, each with its own layers.
    const requires = plans.flatMap((p) => p.requires ?? []);
    let workspace = workspace0;
    const layers: { n: number; state: llb.State; exported: llb.State }[] = [];
    for (const [k, n] of passed.entries()) {
      const provides = new Set((plans[n]!.provides ?? []).map((p) => p.name));
      const plan = stringify({ entries: requires.filter((r) => provides.has(r.name)).map((r) => ({ name: r.name, ...(r.metadata ? { metadata: r.metadata } : {}) })) });
      const cnb = llb.scratch().file(llb.mkfile('/plan.toml', 0o644, plan));
      const owned = (dir: string) => llb.scratch().file(llb.mkdir(dir, 0o755, { owner }));
      const exec = builder.state.run({
        args: ['/bin/sh', '-c', buildScript(n, layers.map((l) => l.n))], user: `${uid}:${gid}`, customName: `[buildpacks] build ${ids[n]}`,
        mounts: [
          { dest: '/cnb/plan.toml', source: cnb, selector: '/plan.toml', readonly: true },
          { dest: `/cnb/buildpacks/${n}`, source: sources[n]!.state, selector: sources[n]!.dir, readonly: true },
          { dest: '/platform', source: platform, readonly: true },
          { dest: '/workspace', source: workspace, selector: '/workspace' },
          ...layers.map((l) => ({ dest: `/layers/${l.n}`, source: l.state, selector: '/l', readonly: true })),
          { dest: `/layers/${n}`, source: owned('/l'), selector: '/l' },
          { dest: '/export', source: owned('/e'), selector: '/e' },
          { type: 'cache' as const, dest: '/cache', id: `kiln-buildpacks/${project.id ?? 'project'}/${ids[n]}`, sharing: 'locked' as const, source: owned('/c'), selector: '/c' },
        ],
      });
      // Writable mounts with a selector keep the whole tree: /workspace stays where it is.
      workspace = exec.mount('/workspace');
      layers.push({ n, state: exec.mount(`/layers/${n}`), exported: exec.mount('/export') });
      void k;
    }

    // The image: the run image, the app, each buildpack's launch layers (a layer each).
    const parts = [run.state, workspace, ...layers.map((l) => llb.scratch().file(llb.copy(l.exported, '/e', `/layers/${ids[l.n]!.replace(/\//g, '_')}`, { copyDirContentsOnly: true, createDestPath: true }), { customName: `[buildpacks] export ${ids[l.n]}` }))];
    const image = llb.merge(parts, { customName: '[buildpacks] export image' });

    // launch.toml and launch env, read from the results (solved now, cached for the build).
    const env = new Map((run.config.config?.Env ?? []).map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)] as [string, string]));
    let processes: { type?: string; command?: string | string[]; args?: string[]; default?: boolean }[] = [];
    for (const l of layers) {
      const out = await gw.solve(await l.exported.marshal());
      const root = `/layers/${ids[l.n]!.replace(/\//g, '_')}`;
      for (const e of await gw.readDir(out, '/e')) {
        if ((e.mode & 0o170000) !== 0o040000) continue;
        if (await gw.stat(out, `/e/${e.path}/bin`).then(() => true, () => false)) env.set('PATH', `${root}/${e.path}/bin:${env.get('PATH') ?? '/usr/local/bin:/usr/bin:/bin'}`);
        applyEnv(env, await readEnvDir(gw, out, `/e/${e.path}/env`));
        applyEnv(env, await readEnvDir(gw, out, `/e/${e.path}/env.launch`));
      }
      const launch = await gw.readFile(out, '/e/launch.toml').then((b) => parse(text(b)) as { processes?: typeof processes }, () => ({}) as { processes?: typeof processes });
      processes = [...processes.filter((p) => !(launch.processes ?? []).some((q) => q.type === p.type)), ...(launch.processes ?? [])];
    }
    const wanted = req.opts.process;
    const proc = wanted ? processes.find((p) => p.type === wanted) : processes.find((p) => p.default) ?? processes.find((p) => p.type === 'web') ?? processes[0];
    if (wanted && !proc) throw new KilnError('buildpacks/no-process', `no process type ${JSON.stringify(wanted)} (the buildpacks define ${processes.map((p) => p.type).join(', ') || 'none'})`);
    const command = proc ? (typeof proc.command === 'string' ? ['/bin/sh', '-c', proc.command] : [...(proc.command ?? [])]) : undefined;
    const config: ImageConfig = {
      ...run.config,
      config: {
        ...(run.config.config ?? {}),
        Env: [...env].map(([k, v]) => `${k}=${v}`),
        User: `${uid}:${gid}`,
        WorkingDir: '/workspace',
        ...(command ? { Entrypoint: command, Cmd: proc?.args ?? [] } : {}),
        Labels: { ...(run.config.config?.Labels ?? {}), 'io.buildpacks.build.metadata': JSON.stringify({ buildpacks: passed.map((n) => ({ id: ids[n] })), processes }) },
      },
    };
    return { definition: await image.marshal(req.platform ? { platform: req.platform } : {}), imageConfig: config };
  },
};
