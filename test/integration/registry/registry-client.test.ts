import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Digest } from '../../../compiler/index.js';
import { ContentStore } from '../../../runtime/cache/index.js';
import { RegistryClient } from '../../../runtime/registry/index.js';
import { registryBinary, startRegistry } from '../../support/registry-server.js';
import type { RegistryServer } from '../../support/registry-server.js';

// The distribution client against a real registry: HEAD before upload, chunked uploads,
// cross-repository mounts, verified downloads, manifests by tag and digest.
(existsSync(registryBinary) ? describe : describe.skip)('RegistryClient', () => {
  let registry: RegistryServer;
  const client = new RegistryClient({ chunkSize: 64 * 1024 });
  const blob = randomBytes(200 * 1024 + 17);
  const digest = `sha256:${createHash('sha256').update(blob).digest('hex')}` as Digest;

  beforeAll(async () => {
    registry = await startRegistry();
  }, 30_000);
  afterAll(async () => {
    await registry?.stop();
  });

  it('uploads in chunks, then finds the blob there (HEAD) instead of uploading again', async () => {
    expect(await client.pushBlob(registry.host, 'a/one', { digest, size: blob.length }, async () => Readable.from([blob]))).toBe('uploaded');
    expect(await client.hasBlob(registry.host, 'a/one', digest)).toBe(true);
    expect(await client.pushBlob(registry.host, 'a/one', { digest, size: blob.length }, async () => { throw new Error('must not read'); })).toBe('exists');
  });

  it('mounts a blob from another repository of the same registry', async () => {
    expect(await client.pushBlob(registry.host, 'b/two', { digest, size: blob.length }, async () => { throw new Error('must not read'); }, 'a/one')).toBe('mounted');
    expect(await client.hasBlob(registry.host, 'b/two', digest)).toBe(true);
  });

  it('downloads verified blobs and manifests by tag and by digest', async () => {
    const store = new ContentStore(mkdtempSync(join(tmpdir(), 'kiln-client-')));
    await client.fetchBlob(store, registry.host, 'b/two', { digest, size: blob.length });
    expect(Buffer.from(await store.get(digest)).equals(blob)).toBe(true);
    const config = new TextEncoder().encode('{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}');
    const configDigest = `sha256:${createHash('sha256').update(config).digest('hex')}`;
    await client.pushBlob(registry.host, 'b/two', { digest: configDigest, size: config.length }, async () => Readable.from([Buffer.from(config)]));
    const manifest = new TextEncoder().encode(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest, size: blob.length }],
    }));
    await client.putManifest(registry.host, 'b/two', 'v1', 'application/vnd.oci.image.manifest.v1+json', manifest);
    const byTag = await client.getManifest(registry.host, 'b/two', 'v1');
    expect(Buffer.from(byTag.bytes).equals(Buffer.from(manifest))).toBe(true);
    const byDigest = await client.getManifest(registry.host, 'b/two', byTag.digest);
    expect(byDigest.digest).toBe(byTag.digest);
    await expect(client.getManifest(registry.host, 'b/two', 'nope')).rejects.toThrow(/404/);
  });
});
