import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Definition, dumpJsonLines, KilnError, llb } from '../../compiler/index.js';
import type { ImageConfig } from '../../compiler/index.js';
import { ContentStore, defaultRoot, lockRoot, StateDb } from '../../runtime/cache/index.js';
import { chainImageSources, ImageStore, LayerBlobIndex } from '../../runtime/images/index.js';
import { SolverGateway } from '../../runtime/gateway/index.js';
import { RegistryClient, RegistryImageSource } from '../../runtime/registry/index.js';
import { checkOutput, exportResult } from './build-output.js';
import { progressWriter } from '../../runtime/progress/index.js';
import { createSnapshotter } from '../../runtime/snapshot/create-snapshotter.js';
import type { Snapshotter } from '../../runtime/snapshot/index.js';
import { Solver, SolveError } from '../../runtime/solver/index.js';
import { LayoutImageSource } from '../../runtime/worker/layout-images.js';
import { Worker } from '../../runtime/worker/worker.js';
import type { ImageSource } from '../../runtime/worker/index.js';
import { fromFrontend, UsageError } from '../errors.js';
import { readStdin } from '../io.js';
import type { CompileArgs } from './compile.js';
import { describeFailure } from './build-failure.js';
import type { Ref, Vertex } from '../../runtime/solver/index.js';
import { inlineCache, openCaches, parseCacheFlags, writeCaches } from './build-cache.js';
import type { BuildResults } from './build-cache.js';
import { chooseFrontendName, isBuiltinFrontend } from '../../frontends/select.js';
import { markRunning } from './build-markers.js';
import { needsRecovery, recoverIfIdle } from './root-recovery.js';
import { bootId } from '../../runtime/cache/boot-id.js';
import { FrontendCache } from './frontend-cache.js';
import { parseKv, parsePairs } from './kv.js';
import { snapshotCache } from './state-root.js';
import { exportStager } from './export-stager.js';
import type { ExportStager } from './export-stager.js';
import { prepareRequest } from './frontend-request.js';
import { kilnVersion } from '../version.js';



async function secretsOf(list: readonly string[] | undefined): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  for (const spec of list ?? []) {
    const kv = parseKv(spec, '--secret');
    const id = kv.get('id');
    if (!id) throw new UsageError(`--secret ${spec}: id is required`);
    const src = kv.get('src') ?? kv.get('source');
    const env = kv.get('env');
    if (src) out.set(id, new Uint8Array(await readFile(src)));
    else {
      const v = process.env[env ?? id];
      if (v === undefined) throw new UsageError(`--secret ${spec}: environment variable ${env ?? id} is not set`);
      out.set(id, new TextEncoder().encode(v));
    }
  }
  return out;
}

/** The options `kiln build` parsed. */
export type BuildArgs = CompileArgs & {
  readonly 'cache-to'?: readonly string[];
  readonly 'cache-from'?: readonly string[];
  readonly 'insecure-registry'?: readonly string[];
  readonly frontend?: string;
  readonly opt?: readonly string[];
  readonly llb?: string;
  readonly local?: readonly string[];
  readonly output?: string;
  readonly 'no-cache'?: boolean;
  readonly 'no-cache-filter'?: readonly string[];
  readonly secret?: readonly string[];
  readonly ssh?: readonly string[];
  readonly progress: 'auto' | 'tty' | 'plain' | 'rawjson';
  /**
   * `kiln compile` of a frontend that needs nested solves: run the frontend with this
   * machine's solver behind its gateway, then write the Definition (pb or json) to stdout
   * (and the image config to `imageConfigFile`) instead of solving it.
   */
  readonly emit?: { readonly format: 'pb' | 'json'; readonly imageConfigFile?: string };
  readonly root?: string;
};

/** Runs `kiln build` (loaded only when that command runs, to keep start-up lean). */
export async function runBuild(args: BuildArgs): Promise<void> {
  const root = resolve(args.root ?? defaultRoot());
  await mkdir(root, { recursive: true });
  const output = args.output ? parseKv(args.output, '--output') : undefined;
  checkOutput(output);
  const caches = parseCacheFlags(args['cache-to'], args['cache-from']);
  const locals = parsePairs(args.local, '--local');
  const ssh = new Map<string, string>();
  for (const s of args.ssh ?? []) {
    const [id, sock] = s.includes('=') ? [s.slice(0, s.indexOf('=')), s.slice(s.indexOf('=') + 1)] : [s, process.env.SSH_AUTH_SOCK ?? ''];
    if (!sock || !existsSync(sock)) throw new UsageError(`--ssh ${s}: no agent socket (set SSH_AUTH_SOCK or give id=SOCKET)`);
    ssh.set(id!, sock!);
  }
  const secrets = await secretsOf(args.secret);
  // The build file is read (and a bad --platform or --build-arg refused) before the root is locked.
  const prepared = args.llb === undefined ? await prepareRequest(args) : undefined;
  if (prepared) {
    if (!locals.has('context')) locals.set('context', prepared.context);
    if (!locals.has('dockerfile')) locals.set('dockerfile', dirname(prepared.file));
  }
  if (needsRecovery(root)) await recoverIfIdle(root, (m) => process.stderr.write(`warning: ${m}\n`));
  const lock = await lockRoot(root, { mode: 'shared' });
  const unmark = markRunning(root);
  // The build's records reach the disk with its snapshots, at its end (see makeDurable).
  const db = StateDb.open(root, { durableAt: 'flush' });
  db.trackUnsynced(bootId());
  const progress = progressWriter(args.progress);
  const abort = new AbortController();
  // The first signal cancels the build (containers killed, mounts and snapshots cleaned up);
  // a second one leaves at once. `on`, not `once`: with no listener of ours left, execa's exit
  // hook (signal-exit) re-raises the signal and kiln died mid-cleanup, leaving mounts behind.
  const onSignal = (sig: NodeJS.Signals) => {
    if (abort.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    abort.abort(new KilnError('canceled', 'build canceled'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let def: Definition | undefined;
  let imageConfig: ImageConfig | undefined;
  // The build's new snapshots go to disk once, while the result is exported (see Snapshotter.sync).
  let snapshots: Snapshotter | undefined;
  // A local export begun while the build runs (see export-stager.ts).
  let stager: ExportStager | undefined;
  let durable: Promise<void> | undefined;
  // Its entry is written while the build runs (see FrontendCache.written).
  let frontendCache: FrontendCache | undefined;
  // A failure here is a warning: the build's row stays in `unsynced`, and the next recovery syncs again.
  const makeDurable = (): Promise<void> => (durable ??= (snapshots?.sync?.() ?? Promise.resolve()).then(() => db.markSynced()).catch((err: unknown) => {
    process.stderr.write(`warning: the build cache may not be on disk: ${err instanceof Error ? err.message : String(err)}\n`);
  }));
  try {
    const content = new ContentStore(root);
    const registry = new RegistryClient({ insecure: args['insecure-registry'] ?? [], signal: abort.signal });
    // The store first (what `kiln image load` and earlier pulls put there), then layouts, then registries.
    const images: ImageSource = chainImageSources([
      new ImageStore(content, db), await LayoutImageSource.open(args['image-layout'] ?? []), new RegistryImageSource(registry, content, db),
    ]);
    const base = await createSnapshotter(join(root, 'snapshots'));
    snapshots = base;
    const localCache = await snapshotCache(db, base);
    // Imported caches answer what the local one cannot; their results unpack only when read.
    const imported = await openCaches(caches.from, content, registry, (m) => process.stderr.write(`warning: ${m}\n`));
    const remote = imported.length > 0 ? await import('../../runtime/remote-cache/index.js') : undefined;
    const layered = remote ? new remote.LayeredCacheStore(localCache, imported) : undefined;
    const cache = layered ?? localCache;
    const snapshotter = remote && layered ? new remote.LazySnapshotter(base, layered, content, localCache) : base;
    const platform = prepared?.request.platform ?? llb.hostPlatform();
    const layerBlobs = new LayerBlobIndex(root);
    const worker = new Worker({
      snapshotter, stateDir: join(root, 'run'), statCacheDir: join(root, 'local-stat'), cacheMountsDir: join(root, 'cache-mounts'), locals, secrets, ssh, images, platform, layers: localCache, layerBlobs,
    });
    const results: BuildResults['all'] = [];
    const solver = new Solver({
      resolver: worker, cache,
      onEvent: (e) => {
        progress.write(e);
        stager?.onEvent(e);
      },
      onResult: (v: Vertex, key: string, refs: readonly Ref[]) => {
        if (caches.to.length > 0) results.push({ v, key, refs });
        stager?.onResult(v, refs);
      },
    });
    const solveOptions = { signal: abort.signal, noCache: !!args['no-cache'] };
    if (prepared) {
      // The frontend loads only when a build file is compiled; it resolves images and may solve through the gateway.
      const gateway = new SolverGateway({ solver, snapshotter, images, platform, solveOptions, ...(args.emit ? { lenientImages: true } : {}) });
      // Built-in frontends' results are reused while nothing they looked at changed; third-party
      // ones always run (their code may have changed).
      const frontendName = chooseFrontendName(args.frontend, prepared.file, prepared.request.source);
      const builtin = isBuiltinFrontend(frontendName);
      frontendCache = new FrontendCache(root);
      const key = FrontendCache.keyOf(frontendName, kilnVersion(), prepared.request);
      let result = builtin && !args['no-cache'] ? await frontendCache.lookup(key, prepared.request, gateway) : undefined;
      if (!result) {
        // The frontend loads only when it has to run.
        const { loadFrontend } = await import('../../frontends/registry.js');
        const frontend = await loadFrontend(frontendName);
        result = builtin
          ? await frontendCache.record(key, prepared.request, gateway, (r, g) => frontend.build(r, g))
          : await frontend.build(prepared.request, gateway).catch((err: unknown) => { throw fromFrontend(frontendName, err); });
      }
      // A third-party frontend's Definition comes from its own copy of kiln's compiler: re-read
      // from bytes. A built-in one's (or the frontend cache's) is already ours.
      const produced: { marshal(): Uint8Array } = result.definition;
      def = produced instanceof Definition ? produced : Definition.unmarshal(produced.marshal());
      imageConfig = result.imageConfig;
    } else {
      def = Definition.unmarshal(args.llb === '-' || args.llb === '' ? await readStdin() : new Uint8Array(await readFile(args.llb!)));
    }
    if (args.emit) {
      if (args.emit.imageConfigFile) await writeFile(args.emit.imageConfigFile, `${JSON.stringify(imageConfig ?? {}, null, 2)}\n`);
      process.stdout.write(args.emit.format === 'json' ? dumpJsonLines(def).map((l) => `${l}\n`).join('') : def.marshal());
      progress.close();
      return;
    }
    stager = exportStager(output, def, snapshotter, abort.signal);
    const ref = await solver.solve(def, solveOptions);
    void makeDurable();
    if (caches.to.length > 0) {
      await writeCaches(caches.to, { all: results, final: ref }, {
        snapshotter, lazy: layered?.lazy ?? new Map(), store: content, registry, signal: abort.signal, log: (m) => process.stderr.write(m),
      });
    }
    if (output) {
      const finalKey = results.find((r) => r.refs.some((x) => x.id === ref.id))?.key;
      const inline = caches.to.some((t) => t.location.type === 'inline') && finalKey ? { extraConfig: inlineCache(finalKey) } : {};
      await exportResult(output, { ref, snapshotter, content, registry, platform, layerBlobs, root, signal: abort.signal, ...(imageConfig ? { imageConfig } : {}), ...inline, ...(stager?.staged ? { staged: stager.staged } : {}) });
    }
    progress.close();
  } catch (err) {
    progress.close();
    if (err instanceof SolveError && def) throw describeFailure(err, def, prepared ? { filename: prepared.request.filename, text: prepared.text } : undefined);
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stager?.staged?.discard();
    await frontendCache?.written().catch((err: unknown) => {
      process.stderr.write(`warning: the frontend's result was not cached: ${err instanceof Error ? err.message : String(err)}\n`);
    });
    await makeDurable();
    db.close();
    unmark();
    await lock.release();
  }
}
