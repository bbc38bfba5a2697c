import { readFile } from 'node:fs/promises';
import { KilnError } from '../../compiler/index.js';
import type { llb } from '../../compiler/index.js';

/** The binfmt_misc handler names qemu-user-static registers, by OCI architecture. */
const QEMU: { readonly [arch: string]: string } = {
  arm64: 'aarch64', arm: 'arm', '386': 'i386', amd64: 'x86_64', ppc64le: 'ppc64le', s390x: 's390x', riscv64: 'riscv64', mips64le: 'mips64el',
};

/** Architectures this machine runs natively besides its own (x86_64 runs 386 binaries). */
const NATIVE_EXTRA: { readonly [host: string]: readonly string[] } = { amd64: ['386'], arm64: ['arm'] };

/**
 * Refuses a RUN for a platform this machine cannot execute, naming the fix, before a
 * container fails with "exec format error": the architecture must be the host's (or one it
 * runs natively), or have an enabled qemu handler in /proc/sys/fs/binfmt_misc.
 */
export async function checkRunnable(target: llb.Platform, host: llb.Platform): Promise<void> {
  if (target.os !== 'linux') throw new KilnError('exec/foreign-os', `cannot run steps for ${target.os}: kiln runs Linux containers only`);
  if (target.architecture === host.architecture || NATIVE_EXTRA[host.architecture]?.includes(target.architecture)) return;
  const handler = QEMU[target.architecture];
  const state = handler ? await readFile(`/proc/sys/fs/binfmt_misc/qemu-${handler}`, 'utf8').catch(() => undefined) : undefined;
  if (state?.startsWith('enabled')) return;
  throw new KilnError('exec/no-emulator', `cannot run a ${target.os}/${target.architecture} step on this ${host.os}/${host.architecture} machine: no emulator is registered` +
    ` (install qemu-user-static and binfmt-support so /proc/sys/fs/binfmt_misc/qemu-${handler ?? target.architecture} exists), or build for ${host.os}/${host.architecture}`);
}
