import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';

/** The host's statically linked busybox (Debian's busybox-static package). */
export const hostBusybox = '/bin/busybox';

interface Entry {
  name: string;
  type: 'file' | 'directory' | 'symlink';
  mode: number;
  data?: Buffer;
  linkname?: string;
  uid?: number;
}

const MTIME = new Date('2024-01-01T00:00:00Z');

/** One uncompressed layer tar of `entries` (owned by root unless given), fixed times: the same bytes every run. */
async function layerTar(entries: readonly Entry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const ended = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    const { data, ...header } = e;
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      const h = { ...header, uid: header.uid ?? 0, gid: header.uid ?? 0, mtime: MTIME };
      if (data) pack.entry(h, data, done);
      else pack.entry(h, done);
    });
  }
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

/**
 * The rootfs `busybox --install -s` makes: /bin/busybox, an absolute symlink to it
 * for every applet at the path busybox lists, /etc/passwd and /etc/group with root
 * and `app` (1000:1000), /root, app's /home/app and a sticky /tmp.
 */
function rootfs(): Entry[] {
  const dirs = ['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'home'];
  const entries: Entry[] = dirs.map((name) => ({ name: `${name}/`, type: 'directory', mode: name === 'root' ? 0o700 : 0o755 }));
  entries.push({ name: 'home/app/', type: 'directory', mode: 0o755, uid: 1000 });
  entries.push({ name: 'tmp/', type: 'directory', mode: 0o1777 });
  entries.push({ name: 'bin/busybox', type: 'file', mode: 0o755, data: readFileSync(hostBusybox) });
  const applets = execFileSync(hostBusybox, ['--list-full'], { encoding: 'utf8' }).split('\n').filter((p) => p && p !== 'bin/busybox');
  for (const path of applets) entries.push({ name: path, type: 'symlink', mode: 0o777, linkname: '/bin/busybox' });
  const text = (name: string, body: string): Entry => ({ name, type: 'file', mode: 0o644, data: Buffer.from(body) });
  entries.push(text('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n'));
  entries.push(text('etc/group', 'root:x:0:\napp:x:1000:\n'));
  return entries;
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Writes an OCI image layout of a busybox-static base image to `dir` (one gzip'd
 * layer, PATH in the config) and returns the manifest digest.
 */
export async function writeBusyboxStaticLayout(dir: string): Promise<string> {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (data: Buffer, mediaType: string) => {
    const hex = sha256(data);
    writeFileSync(join(blobs, hex), data);
    return { mediaType, digest: `sha256:${hex}`, size: data.length };
  };
  const raw = await layerTar(rootfs());
  const layer = put(gzipSync(raw), 'application/vnd.oci.image.layer.v1.tar+gzip');
  const architecture = process.arch === 'x64' ? 'amd64' : process.arch;
  const config = put(Buffer.from(JSON.stringify({
    architecture, os: 'linux', created: MTIME.toISOString(),
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(raw)}`] },
    history: [{ created: MTIME.toISOString(), created_by: 'busybox --install -s (kiln test)' }],
  })), 'application/vnd.oci.image.config.v1+json');
  const manifest = put(Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config, layers: [layer],
  })), 'application/vnd.oci.image.manifest.v1+json');
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ ...manifest, platform: { architecture, os: 'linux' }, annotations: { 'org.opencontainers.image.ref.name': '1' } }],
  }));
  return manifest.digest;
}
