import { readFileSync } from 'node:fs';

/** The kernel's id of this boot: a build recorded under another one was running when the machine went down. */
export function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return 'unknown';
  }
}
