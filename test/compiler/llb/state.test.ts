import { llb, LlbValidationError } from '../../../compiler/index.js';
import type { Definition, DefinitionOp } from '../../../compiler/index.js';
import { CacheSharingOpt, MountType, NetMode } from '../../../compiler/generated/ops.js';

const { copy, diff, git, http, image, local, merge, mkdir, mkfile, ociLayout, scratch } = llb;
const amd64 = { os: 'linux', architecture: 'amd64' } as const;
// Decoded proto3 messages leave zero values out.
const n = (v: unknown) => Number(v ?? 0);
const indices = (a: readonly { input?: unknown; secondaryInput?: unknown; output?: unknown }[]) => a.map((x) => [n(x.input), n(x.secondaryInput), n(x.output)]);

async function opsOf(s: llb.State): Promise<{ def: Definition; ops: readonly DefinitionOp[]; last: DefinitionOp }> {
  const def = await s.marshal({ platform: amd64 });
  def.validate();
  const ops = def.ops();
  const head = def.head();
  return { def, ops, last: ops.find((o) => o.digest === head.digest)! };
}

describe('sources', () => {
  it('normalizes image references and keeps the platform on image ops only', async () => {
    const { last } = await opsOf(image('busybox', { platform: amd64 }));
    expect(last.op.source?.identifier).toBe('docker-image://docker.io/library/busybox:latest');
    expect(last.op.platform).toEqual({ Architecture: 'amd64', OS: 'linux' });
    expect(last.metadata.caps).toEqual({ 'source.image': true });
    const l = await opsOf(local('context'));
    expect(l.last.op.platform).toBeUndefined();
  });

  it('writes BuildKit attribute keys for local, http, git and oci-layout', async () => {
    const l = (await opsOf(local('ctx', { include: ['a', 'b/**'], exclude: ['*.tmp'], followPaths: ['Dockerfile'], sharedKeyHint: 'ctx', localUniqueId: 'u1' }))).last.op.source!;
    expect(l.attrs).toEqual({
      'local.includepattern': '["a","b/**"]', 'local.excludepatterns': '["*.tmp"]', 'local.followpaths': '["Dockerfile"]',
      'local.sharedkeyhint': 'ctx', 'local.unique': 'u1',
    });
    const h = (await opsOf(http('https://example.com/f.tgz', { checksum: 'sha256:' + '0'.repeat(64), filename: 'f.tgz', chmod: 0o755 }))).last;
    expect(h.op.source?.attrs).toEqual({ 'http.checksum': 'sha256:' + '0'.repeat(64), 'http.filename': 'f.tgz', 'http.perm': '0755' });
    const g = (await opsOf(git('https://github.com/moby/buildkit.git', 'v0.24.0:docs', { keepGitDir: true }))).last.op.source!;
    expect(g.identifier).toBe('git://github.com/moby/buildkit.git#v0.24.0:docs');
    expect(g.attrs?.['git.fullurl']).toBe('https://github.com/moby/buildkit.git');
    expect(g.attrs?.['git.keepgitdir']).toBe('true');
    const ssh = (await opsOf(git('git@github.com:moby/buildkit.git'))).last.op.source!;
    expect(ssh.identifier).toBe('git://github.com/moby/buildkit.git');
    expect(ssh.attrs?.['git.mountsshsock']).toBe('default');
    const dgst = 'sha256:' + 'a'.repeat(64);
    const o = (await opsOf(ociLayout(`store@${dgst}`, { storeId: 'store', platform: amd64 }))).last;
    expect(o.op.source).toEqual({ identifier: `oci-layout://store@${dgst}`, attrs: { 'oci.store': 'store' } });
    expect(o.op.platform).toBeDefined();
  });

  it('raises bad references at marshal, not when building', async () => {
    const s = image('Not A Ref!!', { sourceLocations: [{ sourceMap: { filename: 'Dockerfile' }, ranges: [{ start: { line: 3, character: 0 }, end: { line: 3, character: 9 } }] }] });
    await expect(s.marshal()).rejects.toMatchObject({ code: 'bad-image-ref', filename: 'Dockerfile' });
    await expect(ociLayout('store:latest').marshal()).rejects.toMatchObject({ code: 'bad-oci-ref' });
    await expect(http('ftp://x').marshal()).rejects.toMatchObject({ code: 'bad-url' });
  });
});

describe('run', () => {
  it('writes args, env in BuildKit order, cwd, user and mounts sorted by destination', async () => {
    const base = image('busybox').env('A', '1').env('B', '2').env('A', '3').dir('/src').dir('sub').user('nobody');
    const ctx = local('context');
    const e = base.run({
      args: ['make', 'all'],
      mounts: [
        { dest: '/z-out', source: scratch() },
        { dest: '/ctx', source: ctx, selector: '/app', readonly: true },
        { type: 'cache', dest: '/cache', id: 'c1', sharing: 'private' },
        { type: 'tmpfs', dest: '/tmp', size: 4096 },
        { type: 'secret', id: 'tok', dest: '/run/secrets/tok', env: 'TOKEN', mode: 0o440, uid: 1, gid: 2 },
        { type: 'ssh' },
      ],
      network: 'none',
      hostname: 'builder',
      extraHosts: [{ host: 'db', ip: '10.0.0.2' }],
    });
    const { last } = await opsOf(e.root());
    const exec = last.op.exec!;
    expect(exec.meta?.args).toEqual(['make', 'all']);
    expect(exec.meta?.env).toEqual(['B=2', 'A=3', 'SSH_AUTH_SOCK=/run/buildkit/ssh_agent.0']);
    expect(exec.meta?.cwd).toBe('/src/sub');
    expect(exec.meta?.user).toBe('nobody');
    expect(exec.meta?.hostname).toBe('builder');
    expect(exec.meta?.extraHosts).toEqual([{ Host: 'db', IP: '10.0.0.2' }]);
    expect(exec.network).toBe(NetMode.NONE);
    expect(exec.mounts?.map((m) => m.dest)).toEqual(['/', '/cache', '/ctx', '/tmp', '/z-out', '/run/secrets/tok', '/run/buildkit/ssh_agent.0']);
    const byDest = Object.fromEntries((exec.mounts ?? []).map((m) => [m.dest, m]));
    expect([n(byDest['/']!.input), n(byDest['/']!.output)]).toEqual([0, 0]);
    expect(byDest['/z-out']).toMatchObject({ input: -1, output: 1 });
    expect(byDest['/ctx']).toMatchObject({ input: 1, selector: '/app', readonly: true, output: -1 });
    expect(byDest['/cache']).toMatchObject({ input: -1, output: -1, mountType: MountType.CACHE, cacheOpt: { ID: 'c1', sharing: CacheSharingOpt.PRIVATE } });
    expect(byDest['/tmp']).toMatchObject({ mountType: MountType.TMPFS, TmpfsOpt: { size: 4096 } });
    expect(byDest['/run/secrets/tok']).toMatchObject({ mountType: MountType.SECRET, secretOpt: { ID: 'tok', mode: 0o440, uid: 1, gid: 2 } });
    expect(byDest['/run/buildkit/ssh_agent.0']).toMatchObject({ mountType: MountType.SSH, SSHOpt: { mode: 0o600 } });
    expect(exec.secretenv).toEqual([{ ID: 'tok', name: 'TOKEN' }]);
    expect(Object.keys(last.metadata.caps ?? {}).sort()).toEqual([
      'exec.meta.base', 'exec.meta.network', 'exec.meta.setsdefaultpath', 'exec.mount.bind', 'exec.mount.cache', 'exec.mount.cache.sharing',
      'exec.mount.secret', 'exec.mount.selector', 'exec.mount.ssh', 'exec.mount.tmpfs', 'exec.mount.tmpfs.size', 'exec.secretenv',
    ]);
  });

  it('gives each writable mount its own output and refuses tmpfs as a parent', async () => {
    const e = image('busybox').run({ shell: 'true', mounts: [{ dest: '/out', source: scratch() }, { type: 'tmpfs', dest: '/t' }] });
    const out = await opsOf(e.mount('/out'));
    expect(out.def.head().index).toBe(1);
    await expect(e.mount('/t').marshal()).rejects.toMatchObject({ code: 'no-output' });
    await expect(e.mount('/nope').marshal()).rejects.toMatchObject({ code: 'no-mount' });
  });

  it('requires arguments', async () => {
    await expect(image('busybox').run({}).root().marshal()).rejects.toMatchObject({ code: 'run-args' });
  });
});

describe('file actions', () => {
  it('chains actions with relative indices and every option', async () => {
    const src = image('busybox');
    const s = image('alpine').dir('/app').file(
      mkdir('data', 0o750, { makeParents: true, owner: { user: 'app', group: 'app' }, createdTime: new Date(1_000) })
        .mkfile('data/f', 0o600, 'hi', { owner: { user: 0, group: 0 } })
        .copy(src, 'bin/*', './bin/', { mode: 'u+x', followSymlinks: true, allowWildcard: true, allowEmptyWildcard: true, includePatterns: ['b*'], excludePatterns: ['bad'], alwaysReplaceExistingDestPaths: true, createdTime: 1445412480000000000n })
        .rm('data/tmp', { allowNotFound: true, allowWildcard: true })
        .symlink('/app/data/f', 'link'),
    );
    const { last } = await opsOf(s);
    const a = last.op.file!.actions!;
    expect(last.op.inputs).toHaveLength(2);
    expect(indices(a)).toEqual([[0, -1, -1], [2, -1, -1], [3, 1, -1], [4, -1, -1], [5, -1, 0]]);
    expect(a[0]!.mkdir).toEqual({ path: '/app/data', mode: 0o750, makeParents: true, owner: { user: { byName: { name: 'app' } }, group: { byName: { name: 'app' } } }, timestamp: 1_000_000_000 });
    expect(a[1]!.mkfile?.owner).toEqual({ user: { byID: 0 }, group: { byID: 0 } });
    expect(a[2]!.copy).toMatchObject({ src: '/bin/*', dest: '/app/bin/', modeStr: 'u+x', include_patterns: ['b*'], exclude_patterns: ['bad'], timestamp: 1445412480000000000n, alwaysReplaceExistingDestPaths: true });
    expect(a[3]!.rm).toEqual({ path: '/app/data/tmp', allowNotFound: true, allowWildcard: true });
    expect(a[4]!.symlink).toEqual({ oldpath: '/app/data/f', newpath: '/app/link', timestamp: -1 });
    expect(last.op.platform).toBeUndefined();
  });

  it('copies from the result of another action chain', async () => {
    const prepared = mkfile('/x', 0o644, 'x').withState(scratch());
    const { last } = await opsOf(scratch().file(copy(prepared, '/x', '/y')));
    expect(indices(last.op.file!.actions!)).toEqual([[-1, -1, -1], [-1, 0, 0]]);
  });
});

describe('merge and diff', () => {
  it('drops scratch from merges and writes one input per layer', async () => {
    const a = image('busybox');
    expect(merge([scratch(), a])).toBe(a);
    expect(merge([]).output()).toBeUndefined();
    const { last } = await opsOf(merge([a, a, local('x')]));
    expect(last.op.inputs).toHaveLength(3);
    expect(last.op.merge?.inputs?.map((i) => n(i.input))).toEqual([0, 1, 2]);
    expect(last.metadata.caps).toEqual({ mergeop: true });
  });

  it('diffs against scratch as the upper itself, and writes lower/upper', async () => {
    const up = image('busybox');
    expect(diff(scratch(), up)).toBe(up);
    const { last } = await opsOf(diff(up, up.run({ shell: 'touch /x' }).root()));
    expect([n(last.op.diff?.lower?.input), n(last.op.diff?.upper?.input)]).toEqual([0, 1]);
  });
});

describe('metadata and source maps', () => {
  it('records custom names, ignore-cache, progress groups and source locations', async () => {
    const dockerfile = { filename: 'Dockerfile', data: new TextEncoder().encode('FROM busybox\n'), language: 'Dockerfile' };
    const range = { start: { line: 1, character: 0 }, end: { line: 1, character: 12 } };
    const s = image('busybox', { customName: 'FROM busybox', ignoreCache: true, progressGroup: { id: 'g', name: 'group' }, sourceLocations: [{ sourceMap: dockerfile, ranges: [range] }] });
    const { def, last } = await opsOf(s);
    expect(last.metadata).toMatchObject({ ignore_cache: true, description: { 'llb.customname': 'FROM busybox' }, progress_group: { id: 'g', name: 'group' } });
    const terminal = def.ops().at(-1)!;
    expect(terminal.metadata.caps).toEqual({ constraints: true, platform: true, 'meta.ignorecache': true, 'meta.description': true });
    expect(def.source?.infos).toEqual([{ filename: 'Dockerfile', data: dockerfile.data, language: 'Dockerfile' }]);
    expect(def.source?.locations?.[last.digest]).toEqual({ locations: [{ sourceIndex: 0, ranges: [range] }] });
  });

  it('marshals scratch to an empty definition that validation rejects', async () => {
    const def = await scratch().marshal();
    expect(def.def).toHaveLength(0);
    expect(() => def.validate()).toThrow(LlbValidationError);
  });
});

describe('resolvedImage', () => {
  it('pins the digest and takes Env, WorkingDir and User from the config', async () => {
    const digest = 'sha256:' + 'c'.repeat(64);
    const seen: string[] = [];
    const s = await llb.resolvedImage('busybox', async (ref) => {
      seen.push(ref);
      return { digest, config: { config: { Env: ['PATH=/bin', 'A=1'], WorkingDir: '/w', User: 'u' } } };
    });
    expect(seen).toEqual(['docker.io/library/busybox:latest']);
    expect(s.getEnv('A')).toBe('1');
    expect(s.getDir()).toBe('/w');
    expect(s.getUser()).toBe('u');
    const { last } = await opsOf(s.run({ shell: 'true' }).root());
    expect(last.op.exec?.meta).toMatchObject({ env: ['PATH=/bin', 'A=1'], cwd: '/w', user: 'u' });
    const src = (await opsOf(s)).last.op.source!;
    expect(src.identifier).toBe(`docker-image://docker.io/library/busybox:latest@${digest}`);
  });
});
