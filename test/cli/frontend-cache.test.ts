import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrontendCache } from '../../cli/commands/frontend-cache.js';
import { llb } from '../../compiler/index.js';
import type { FrontendRequest, FrontendResult, Gateway } from '../../compiler/index.js';

// The cache of frontend results: reused only while every image and local file the frontend
// looked at is unchanged, never after nested solves.
describe('FrontendCache', () => {
  const images = new Map([['busybox', 'sha256:aaa']]);
  const files = new Map<string, string>([['context/.dockerignore', 'node_modules\n']]);
  const gw: Gateway = {
    solve: async () => ({ id: 'x' }),
    readFile: async () => new Uint8Array(),
    readDir: async () => [],
    stat: async () => ({ path: '/', mode: 0, size: 0, uid: 0, gid: 0 }),
    resolveImageConfig: async (ref) => ({ ref, digest: images.get(ref)!, config: {} }),
  };
  const req: FrontendRequest = {
    source: new TextEncoder().encode('FROM busybox\n'), filename: 'Dockerfile', opts: { 'build-arg:A': '1' },
    readLocalFile: async (local, path) => {
      const v = files.get(`${local}/${path}`);
      return v === undefined ? undefined : new TextEncoder().encode(v);
    },
  };
  let runs = 0;
  const build = async (r: FrontendRequest, g: Gateway): Promise<FrontendResult> => {
    runs++;
    await g.resolveImageConfig('busybox');
    await r.readLocalFile!('context', '.dockerignore');
    await r.readLocalFile!('dockerfile', 'Dockerfile.dockerignore');
    return { definition: await llb.image('busybox').marshal(), imageConfig: { config: { Env: ['A=1'] } } };
  };
  const cache = new FrontendCache(mkdtempSync(join(tmpdir(), 'kiln-fc-')));
  const key = FrontendCache.keyOf('dockerfile', '1', req);

  it('answers a rebuild with nothing changed without running the frontend', async () => {
    const first = await cache.record(key, req, gw, build);
    // written a moment later, or at once when asked
    expect(await cache.lookup(key, req, gw)).toBeUndefined();
    await cache.written();
    const again = await cache.lookup(key, req, gw);
    expect(runs).toBe(1);
    expect(again?.definition.marshal()).toEqual(first.definition.marshal());
    expect(again?.imageConfig).toEqual({ config: { Env: ['A=1'] } });
  });

  it('misses when an image moved, a file read changed or appeared, or the request differs', async () => {
    images.set('busybox', 'sha256:bbb');
    expect(await cache.lookup(key, req, gw)).toBeUndefined();
    images.set('busybox', 'sha256:aaa');
    files.set('context/.dockerignore', 'dist\n');
    expect(await cache.lookup(key, req, gw)).toBeUndefined();
    files.set('context/.dockerignore', 'node_modules\n');
    files.set('dockerfile/Dockerfile.dockerignore', '*\n');
    expect(await cache.lookup(key, req, gw)).toBeUndefined();
    files.delete('dockerfile/Dockerfile.dockerignore');
    expect(await cache.lookup(key, req, gw)).toBeDefined();
    expect(FrontendCache.keyOf('dockerfile', '1', { ...req, opts: { 'build-arg:A': '2' } })).not.toBe(key);
    expect(FrontendCache.keyOf('dockerfile', '1', { ...req, source: new TextEncoder().encode('FROM busybox:2\n') })).not.toBe(key);
  });

  it('writes an entry by itself a moment after recording it', async () => {
    const k = FrontendCache.keyOf('dockerfile', '1', { ...req, target: 'later' });
    await cache.record(k, req, gw, build);
    expect(await cache.lookup(k, req, gw)).toBeUndefined();
    for (let i = 0; i < 100 && !(await cache.lookup(k, req, gw)); i++) await new Promise((r) => setTimeout(r, 20));
    expect(await cache.lookup(k, req, gw)).toBeDefined();
    await cache.written();
  });

  it('never keeps the result of a frontend that ran a nested solve', async () => {
    const k = FrontendCache.keyOf('dockerfile', '1', { ...req, target: 'nested' });
    await cache.record(k, req, gw, async (r, g) => {
      await g.solve(await llb.scratch().marshal());
      return build(r, g);
    });
    await cache.written();
    expect(await cache.lookup(k, req, gw)).toBeUndefined();
  });
});
