import { setTimeout as sleep } from 'node:timers/promises';

/** How long `runc kill` is retried before the runc process itself is killed (BuildKit's 7s kill context). */
const KILL_TIMEOUT_MS = 7000;
const RETRY_MS = 50;

/**
 * Sends SIGKILL to a `runc run` container until its runc process ends
 * (BuildKit's `runcProcessHandle`): the container may not exist yet when the
 * abort comes (runc is still creating it), so `runc kill` is retried every
 * 50ms; if that keeps failing, the runc process is killed instead.
 */
export async function killContainer(runc: string, id: string, ended: () => boolean, killRunc: () => void): Promise<void> {
  const deadline = Date.now() + KILL_TIMEOUT_MS;
  while (!ended()) {
    const r = await (await import('execa')).execa(runc, ['kill', id, 'KILL'], { reject: false, stdin: 'ignore' });
    if (ended()) return;
    if (r.exitCode !== 0 && Date.now() > deadline) {
      killRunc();
      return;
    }
    await sleep(RETRY_MS);
  }
}
