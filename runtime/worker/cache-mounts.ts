import { pb } from '../../compiler/index.js';
import { Semaphore } from '../solver/index.js';

/**
 * Cache mount sharing modes within one kiln process: `shared` mounts are used
 * concurrently, `locked` ones one step at a time, and a `private` one busy
 * elsewhere gets a fresh directory of its own.
 */
export class CacheMountLocks {
  readonly #locks = new Map<string, Semaphore>();
  readonly #busy = new Map<string, number>();

  async acquire(dir: string, sharing: number, signal?: AbortSignal): Promise<{ dir: string; release: () => void }> {
    if (sharing === pb.CacheSharingOpt.LOCKED) {
      let lock = this.#locks.get(dir);
      if (!lock) this.#locks.set(dir, (lock = new Semaphore(1)));
      const release = await lock.acquire(signal);
      return { dir, release };
    }
    if (sharing === pb.CacheSharingOpt.PRIVATE) {
      let n = 0;
      while ((this.#busy.get(`${dir}.${n}`) ?? 0) > 0) n++;
      const d = n === 0 ? dir : `${dir}.${n}`;
      const key = `${dir}.${n}`;
      this.#busy.set(key, 1);
      return { dir: d, release: () => this.#busy.set(key, 0) };
    }
    return { dir, release: () => undefined };
  }
}
