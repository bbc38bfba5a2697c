// A second kiln process for the cache tests: `worker.ts <mode> <root> [args]`.
// It reports progress as lines on stdout, which the tests wait for (spawn-worker.ts).
import { setTimeout as sleep } from 'node:timers/promises';
import { ContentStore } from '../../../../runtime/cache/content-store.js';
import { lockRoot } from '../../../../runtime/cache/lock.js';
import type { LockMode } from '../../../../runtime/cache/lock.js';
import { StateDb } from '../../../../runtime/cache/state-db.js';

const [mode, root, ...args] = process.argv.slice(2);
const say = (line: string) => process.stdout.write(`${line}\n`);

async function* slowly(total: number, chunk: number, delayMs: number): AsyncGenerator<Uint8Array> {
  for (let sent = 0; sent < total; sent += chunk) {
    yield new Uint8Array(Math.min(chunk, total - sent)).fill(sent % 251);
    if (sent === 0) say('writing');
    await sleep(delayMs);
  }
}

async function main(): Promise<void> {
  if (!root) throw new Error('usage: worker.ts <mode> <root> [args]');
  switch (mode) {
    case 'put-slow': {
      // Writes a blob of args[0] bytes in 64 KiB chunks, one every 5 ms.
      const info = await new ContentStore(root).put(slowly(Number(args[0]), 65536, 5));
      say(`stored ${info.digest}`);
      return;
    }
    case 'db-writer': {
      // args[0] transactions, each a ref and a cache record owning it, tagged args[1].
      const db = StateDb.open(root, { busyTimeoutMs: 30_000 });
      say('opened');
      for (let i = 0; i < Number(args[0]); i++) {
        db.withTransaction(() => {
          const id = `${args[1]}-ref-${i}`;
          db.addRef({ id, kind: 'snapshot', size: 1 });
          db.putCacheRecord({ key: `${args[1]}-key-${i}`, refs: [id], vertex: `step ${i}`, digest: `sha256:${i}`, size: 1 });
        });
      }
      db.close();
      say('done');
      return;
    }
    case 'lock': {
      // Takes the root lock in mode args[0], holds it args[1] ms (0: until killed).
      const lock = await lockRoot(root, { mode: args[0] as LockMode });
      say(`locked ${Date.now()}`);
      const holdMs = Number(args[1]);
      if (holdMs === 0) {
        // A timer keeps the process alive; a pending promise alone would let it exit.
        setInterval(() => undefined, 60_000);
        return;
      }
      await sleep(holdMs);
      say(`releasing ${Date.now()}`);
      await lock.release();
      return;
    }
    default:
      throw new Error(`unknown mode ${String(mode)}`);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
