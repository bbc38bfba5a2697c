import { chmod, chown, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import type { OciMount } from './oci-spec.js';
import type { SecretMount } from './types.js';

/** A secret made ready on the host: the OCI mount to add and how to take it down. */
export interface PreparedSecret {
  readonly mount: OciMount;
  release(): Promise<void>;
}

/**
 * Writes a secret to a file on a fresh host tmpfs under `dir` and returns a
 * read-only bind of that file (BuildKit's `secretMountInstance`): the bytes
 * never touch a disk or the rootfs, so they cannot end up in a layer.
 * `noexec` unless the mode has an execute bit, like BuildKit.
 */
export async function prepareSecret(dir: string, secret: SecretMount): Promise<PreparedSecret> {
  await mkdir(dir, { recursive: true, mode: 0o711 });
  await chmod(dir, 0o711);
  const noexec = (secret.mode & 0o111) === 0 ? ['noexec'] : [];
  const uid = process.geteuid?.() ?? 0;
  const gid = process.getegid?.() ?? 0;
  const { execa } = await import('execa');
  try {
    await execa('mount', ['-t', 'tmpfs', '-o', ['nodev', 'nosuid', `uid=${uid},gid=${gid}`, ...noexec].join(','), 'tmpfs', dir]);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new KilnError('executor/secret-mount', `unable to set up secret mount for ${secret.dest}`, { cause: err });
  }
  const release = async (): Promise<void> => {
    await unmount(dir);
    await rm(dir, { recursive: true, force: true });
  };
  const file = join(dir, 'secret');
  try {
    await writeFile(file, secret.data, { mode: 0o600 });
    await chown(file, secret.uid, secret.gid);
    await chmod(file, secret.mode & 0o777);
  } catch (err) {
    await release();
    throw new KilnError('executor/secret-mount', `unable to write secret for ${secret.dest}`, { cause: err });
  }
  return {
    mount: { destination: secret.dest, type: 'bind', source: file, options: ['ro', 'rbind', 'nodev', 'nosuid', ...noexec] },
    release,
  };
}

/** Unmounts `dir`, lazily when something still holds it. */
export async function unmount(dir: string): Promise<void> {
  const { execa } = await import('execa');
  const r = await execa('umount', [dir], { reject: false });
  if (r.exitCode !== 0) await execa('umount', ['-l', dir], { reject: false });
}
