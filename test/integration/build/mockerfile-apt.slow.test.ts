import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { kilnBin } from '../../support/kiln-cli.js';

// SLOW (about 2 minutes the first time): a Debian base image made here with
// `debootstrap --variant=minbase` from Debian's archive (cached under the temp dir between
// runs), then a Mockerfile whose package section installs with apt: kiln finds apt-get in the
// base by looking inside it, writes the repository line, and runs apt-get in the build.
// Root + runc + debootstrap + network to deb.debian.org only.
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc') && existsSync('/usr/sbin/debootstrap');
const cacheDir = join(tmpdir(), 'kiln-test-cache');

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The minbase rootfs as an OCI layout with one uncompressed layer, made once per machine. */
async function debianLayout(): Promise<string> {
  const layout = join(cacheDir, 'debian-bookworm-minbase-oci');
  if (existsSync(join(layout, 'index.json'))) return layout;
  const rootfs = join(cacheDir, 'debian-bookworm-minbase');
  if (!existsSync(join(rootfs, 'usr', 'bin', 'apt-get'))) {
    rmSync(rootfs, { recursive: true, force: true });
    mkdirSync(cacheDir, { recursive: true });
    await execa('debootstrap', ['--variant=minbase', 'bookworm', rootfs, 'http://deb.debian.org/debian']);
  }
  const tmp = `${layout}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'blobs', 'sha256'), { recursive: true });
  const layerFile = join(tmp, 'layer.tar');
  await execa('tar', ['--numeric-owner', '--xattrs', '-C', rootfs, '-cf', layerFile, '.']);
  const layerSha = (await execa('sha256sum', [layerFile])).stdout.split(' ')[0]!;
  renameSync(layerFile, join(tmp, 'blobs', 'sha256', layerSha));
  const config = JSON.stringify({
    architecture: 'amd64', os: 'linux', config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
    rootfs: { type: 'layers', diff_ids: [`sha256:${layerSha}`] }, history: [{ created_by: 'debootstrap --variant=minbase bookworm' }],
  });
  writeFileSync(join(tmp, 'blobs', 'sha256', sha(config)), config);
  const manifest = JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${sha(config)}`, size: Buffer.byteLength(config) },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: `sha256:${layerSha}`, size: statSync(join(tmp, 'blobs', 'sha256', layerSha)).size }],
  });
  writeFileSync(join(tmp, 'blobs', 'sha256', sha(manifest)), manifest);
  writeFileSync(join(tmp, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  writeFileSync(join(tmp, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${sha(manifest)}`, size: Buffer.byteLength(manifest) }] }));
  renameSync(tmp, layout);
  return layout;
}

(canRun ? describe : describe.skip)('Mockerfile package installs with apt (slow)', () => {
  it('installs a Debian package into a debootstrapped base', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-apt-root-'));
    await execa(kilnBin, ['image', 'load', await debianLayout(), '--name', 'kiln.test/debian:bookworm', '--root', root]);
    const ctx = mkdtempSync(join(tmpdir(), 'kiln-apt-ctx-'));
    writeFileSync(join(ctx, 'mocker.yaml'), [
      'apiVersion: v1alpha1', 'images:', '- name: app', '  from: kiln.test/debian:bookworm', '  package:',
      '    repo:', '    - deb http://deb.debian.org/debian bookworm main', '    install:', '    - hello', '  steps:', '  - hello > /greeting', '',
    ].join('\n'));
    const out = join(ctx, 'out');
    const r = await execa(kilnBin, ['build', ctx, '--root', root, '--progress', 'plain', '--output', `type=local,dest=${out}`], { reject: false });
    expect(r.stderr).toContain('apt-get update');
    expect(r.exitCode).toBe(0);
    expect(readFileSync(join(out, 'greeting'), 'utf8')).toBe('Hello, world!\n');
    expect(existsSync(join(out, 'usr', 'bin', 'hello'))).toBe(true);
    expect(readFileSync(join(out, 'etc', 'apt', 'sources.list.d', 'mockerfile-app.list'), 'utf8')).toContain('deb http://deb.debian.org/debian bookworm main');
  }, 600_000);
});
