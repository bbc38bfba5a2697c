import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import type { Digest } from '../../../compiler/index.js';
import { ContentStore } from '../../../runtime/cache/index.js';
import { spawnWorker } from './child/spawn-worker.js';
import { tempRoots } from './temp-root.js';

const newRoot = tempRoots();
const sha = (b: Uint8Array | string): Digest => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const bytes = (s: string) => new TextEncoder().encode(s);

describe('ContentStore', () => {
  it('stores bytes under their digest and reads them back', async () => {
    const store = new ContentStore(newRoot());
    const info = await store.put(bytes('hello'));
    expect(info).toEqual({ digest: sha('hello'), size: 5 });
    expect(readdirSync(store.dir)).toEqual([sha('hello').slice(7)]);
    expect(new TextDecoder().decode(await store.get(info.digest))).toBe('hello');
    expect(await text(await store.stream(info.digest))).toBe('hello');
    expect(await store.has(info.digest)).toBe(true);
    expect(await store.info(info.digest)).toEqual(info);
  });

  it('stores a stream, and storing the same content again is a no-op', async () => {
    const store = new ContentStore(newRoot());
    const parts = ['a'.repeat(100_000), 'b'.repeat(50_000)];
    const info = await store.put(Readable.from(parts.map((p) => Buffer.from(p))));
    expect(info).toEqual({ digest: sha(parts.join('')), size: 150_000 });
    expect(await store.put(bytes(parts.join('')), { expected: info.digest, size: 150_000 })).toEqual(info);
    expect(await store.list()).toEqual([info]);
  });

  it('refuses content that does not match the expected digest or size, storing nothing', async () => {
    const store = new ContentStore(newRoot());
    await expect(store.put(bytes('evil'), { expected: sha('good') })).rejects.toMatchObject({ code: 'content/digest-mismatch' });
    await expect(store.put(bytes('good'), { size: 3 })).rejects.toMatchObject({ code: 'content/size-mismatch' });
    await expect(store.put(bytes('good'), { size: 5 })).rejects.toMatchObject({ code: 'content/size-mismatch' });
    expect(readdirSync(store.dir)).toEqual([]);
    expect(await store.has(sha('evil'))).toBe(false);
  });

  it('refuses malformed digests and reports missing blobs', async () => {
    const store = new ContentStore(newRoot());
    await expect(store.get('sha256:../../etc/passwd' as Digest)).rejects.toMatchObject({ code: 'content/bad-digest' });
    await expect(store.put(bytes('x'), { expected: 'md5:00' as Digest })).rejects.toMatchObject({ code: 'content/bad-digest' });
    await expect(store.get(sha('nothing'))).rejects.toMatchObject({ code: 'content/not-found' });
    await expect(store.stream(sha('nothing'))).rejects.toMatchObject({ code: 'content/not-found' });
    expect(await store.delete(sha('nothing'))).toBe(false);
  });

  it('detects a blob corrupted on disk, whole or streamed', async () => {
    const store = new ContentStore(newRoot());
    const { digest } = await store.put(bytes('original'));
    writeFileSync(join(store.dir, digest.slice(7)), 'tampered');
    await expect(store.get(digest)).rejects.toMatchObject({ code: 'content/corrupt' });
    await expect(text(await store.stream(digest))).rejects.toMatchObject({ code: 'content/corrupt' });
  });

  it('deletes, and lists only blobs, ignoring temp files and strays', async () => {
    const store = new ContentStore(newRoot());
    const a = await store.put(bytes('a'));
    const b = await store.put(bytes('b'));
    writeFileSync(join(store.dir, '.tmp-1-abc'), 'partial');
    writeFileSync(join(store.dir, 'README'), 'stray');
    expect((await store.list()).map((i) => i.digest).sort()).toEqual([a.digest, b.digest].sort());
    expect(await store.delete(a.digest)).toBe(true);
    expect(await store.list()).toEqual([b]);
  });

  it('stops writing when the signal aborts, leaving nothing behind', async () => {
    const store = new ContentStore(newRoot());
    const ac = new AbortController();
    async function* chunks() {
      yield bytes('first');
      ac.abort();
      yield bytes('second');
    }
    await expect(store.put(chunks(), { signal: ac.signal })).rejects.toThrow();
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('never shows a partial blob when its writer is killed midway; the temp file is cleaned', async () => {
    const root = newRoot();
    const store = new ContentStore(root);
    // 64 MiB at 64 KiB per 5 ms takes ~5 s: killed long before it finishes.
    const worker = spawnWorker(['put-slow', root, String(64 << 20)]);
    await worker.waitFor('writing');
    await new Promise((r) => setTimeout(r, 200));
    const temps = readdirSync(store.dir);
    expect(temps).toHaveLength(1);
    expect(temps[0]).toMatch(/^\.tmp-/);
    worker.child.kill('SIGKILL');
    expect((await worker.exited).code).toBeNull();

    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.dir).filter((n) => !n.startsWith('.tmp-'))).toEqual([]);
    expect(await store.cleanTemp()).toBe(1);
    expect(readdirSync(store.dir)).toEqual([]);
  });

  it('keeps the temp files of live writers when cleaning', async () => {
    const store = new ContentStore(newRoot());
    await store.put(bytes('make the dir'));
    writeFileSync(join(store.dir, `.tmp-${process.pid}-x`), 'mine');
    writeFileSync(join(store.dir, `.tmp-${process.ppid}-y`), 'my parent is alive');
    expect(await store.cleanTemp()).toBe(0);
    expect(readdirSync(store.dir).filter((n) => n.startsWith('.tmp-'))).toHaveLength(2);
  });
});
