import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../../support/corpus.js';

interface Descriptor { digest: string }

function blobPath(layout: string, digest: string): string {
  return join(layout, 'blobs', ...digest.split(':'));
}

/**
 * A fresh writable busybox rootfs: the single layer of the corpus's
 * `busybox-oci` layout (index.json → manifest → gzip tar) extracted with tar.
 */
export function busyboxRootfs(parent: string): string {
  const layout = corpusDir('images/busybox-oci');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
  const manifestDigest = index.manifests[0]?.digest;
  if (!manifestDigest) throw new Error('busybox-oci has no manifest');
  const manifest = JSON.parse(readFileSync(blobPath(layout, manifestDigest), 'utf8')) as { layers: Descriptor[] };
  const rootfs = mkdtempSync(join(parent, 'rootfs-'));
  for (const layer of manifest.layers) execFileSync('tar', ['-xzf', blobPath(layout, layer.digest), '-C', rootfs]);
  return rootfs;
}

/** A temporary directory for one test. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Whether runc container tests can run here: root and a runc binary. */
export function canRunRunc(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('runc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
