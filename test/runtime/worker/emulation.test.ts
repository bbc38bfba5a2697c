import { existsSync } from 'node:fs';
import { checkRunnable } from '../../../runtime/worker/emulation.js';
import { KilnError } from '../../../compiler/index.js';

async function thrownBy(fn: () => Promise<unknown>): Promise<KilnError> {
  const err = await fn().then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(KilnError);
  return err as KilnError;
}

describe('checkRunnable', () => {
  const host = { os: 'linux', architecture: 'amd64' };

  it('runs the host architecture, and those it runs natively', async () => {
    await expect(checkRunnable({ os: 'linux', architecture: 'amd64', variant: 'v2' }, host)).resolves.toBeUndefined();
    await expect(checkRunnable({ os: 'linux', architecture: '386' }, host)).resolves.toBeUndefined();
  });

  (existsSync('/proc/sys/fs/binfmt_misc/qemu-aarch64') ? it.skip : it)('refuses a foreign architecture without an emulator, naming the fix', async () => {
    const err = await thrownBy(() => checkRunnable({ os: 'linux', architecture: 'arm64' }, host));
    expect(err.code).toBe('exec/no-emulator');
    expect(err.message).toContain('cannot run a linux/arm64 step on this linux/amd64 machine');
    expect(err.message).toContain('qemu-user-static');
    expect(err.message).toContain('/proc/sys/fs/binfmt_misc/qemu-aarch64');
  });

  it('refuses another OS', async () => {
    expect((await thrownBy(() => checkRunnable({ os: 'windows', architecture: 'amd64' }, host))).code).toBe('exec/foreign-os');
  });
});
