import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Definition } from '../../compiler/index.js';
import type { FrontendRequest, FrontendResult, Gateway, ImageConfig, llb } from '../../compiler/index.js';

/** What a frontend looked at while it built: enough to tell whether a rerun would see the same. */
type Observation =
  | { readonly kind: 'image'; readonly ref: string; readonly platform?: llb.Platform; readonly digest: string }
  | { readonly kind: 'file'; readonly local: string; readonly path: string; readonly sha256: string | null };

interface Entry {
  readonly observations: readonly Observation[];
  readonly definition: string;
  readonly imageConfig?: ImageConfig;
}

interface PendingWrite {
  readonly timer: NodeJS.Timeout;
  readonly write: () => Promise<void>;
  done?: Promise<void>;
}

/** How long an entry waits before it is written (see FrontendCache.written). */
const WRITE_DELAY_MS = 200;

const sha = (b: Uint8Array | string): string => createHash('sha256').update(b).digest('hex');

/**
 * Remembers what a built-in frontend made of a request, so a rebuild with nothing changed
 * skips loading and running the frontend (its parser alone is a good part of a no-op build).
 * An entry holds the request's hash and everything the frontend observed: each image config it
 * resolved (by digest) and each local file it read (by hash). It is used only when all of them
 * still resolve to the same; a frontend that ran nested solves or read results is not cached.
 * Entries live under `root/frontend-cache/`, written atomically; a damaged one is a miss.
 */
export class FrontendCache {
  readonly #dir: string;
  /** Entries record() made, written a little later: see written(). */
  readonly #writes: PendingWrite[] = [];

  constructor(root: string) {
    this.#dir = join(root, 'frontend-cache');
  }

  /** The entry key of a request to a frontend of this kiln version. */
  static keyOf(frontend: string, version: string, req: FrontendRequest): string {
    const opts = Object.keys(req.opts).sort().map((k) => [k, req.opts[k]]);
    return sha(JSON.stringify([frontend, version, sha(req.source), req.filename, opts, req.target ?? null, req.platform ?? null, req.sessionId ?? null]));
  }

  async lookup(key: string, req: FrontendRequest, gw: Pick<Gateway, 'resolveImageConfig'>): Promise<FrontendResult | undefined> {
    let entry: Entry;
    try {
      entry = JSON.parse(await readFile(join(this.#dir, `${key}.json`), 'utf8')) as Entry;
    } catch {
      return undefined;
    }
    for (const o of entry.observations) {
      if (o.kind === 'image') {
        const now = await gw.resolveImageConfig(o.ref, o.platform).catch(() => undefined);
        if (now?.digest !== o.digest) return undefined;
      } else {
        const bytes = await req.readLocalFile?.(o.local, o.path);
        if ((bytes === undefined ? null : sha(bytes)) !== o.sha256) return undefined;
      }
    }
    try {
      const definition = Definition.unmarshal(new Uint8Array(Buffer.from(entry.definition, 'base64')));
      return { definition, ...(entry.imageConfig ? { imageConfig: entry.imageConfig } : {}) };
    } catch {
      return undefined;
    }
  }

  /**
   * Runs `build` with a request and gateway that record what the frontend observes, and
   * stores the result when it can be reused.
   */
  async record(key: string, req: FrontendRequest, gw: Gateway, build: (req: FrontendRequest, gw: Gateway) => Promise<FrontendResult>): Promise<FrontendResult> {
    const observations: Observation[] = [];
    let reusable = true;
    const watched: Gateway = {
      solve: (...a) => ((reusable = false), gw.solve(...a)),
      readFile: (...a) => ((reusable = false), gw.readFile(...a)),
      readDir: (...a) => ((reusable = false), gw.readDir(...a)),
      stat: (...a) => ((reusable = false), gw.stat(...a)),
      resolveImageConfig: async (ref, platform) => {
        const r = await gw.resolveImageConfig(ref, platform);
        observations.push({ kind: 'image', ref, ...(platform ? { platform } : {}), digest: r.digest });
        return r;
      },
    };
    const read = req.readLocalFile;
    const watchedReq: FrontendRequest = {
      ...req,
      ...(read ? {
        readLocalFile: async (local: string, path: string) => {
          const bytes = await read(local, path);
          observations.push({ kind: 'file', local, path, sha256: bytes === undefined ? null : sha(bytes) });
          return bytes;
        },
      } : {}),
    };
    const result = await build(watchedReq, watched);
    if (reusable) this.#later(() => this.#write(key, observations, result));
    return result;
  }

  /**
   * Waits for the entries record() made to be written, writing at once those still waiting. An
   * entry waits WRITE_DELAY_MS: encoding and writing it took ~3 ms of the main thread while a
   * build starts its first steps, and a moment later the build is waiting on its containers.
   */
  async written(): Promise<void> {
    for (const w of this.#writes.splice(0)) {
      clearTimeout(w.timer);
      await (w.done ??= w.write());
    }
  }

  #later(write: () => Promise<void>): void {
    const w: PendingWrite = {
      write,
      timer: setTimeout(() => {
        // a failure waits for written(), which reports it
        (w.done ??= write()).catch(() => undefined);
      }, WRITE_DELAY_MS).unref(),
    };
    this.#writes.push(w);
  }

  async #write(key: string, observations: readonly Observation[], result: FrontendResult): Promise<void> {
    const entry: Entry = { observations, definition: Buffer.from(result.definition.marshal()).toString('base64'), ...(result.imageConfig ? { imageConfig: result.imageConfig } : {}) };
    await mkdir(this.#dir, { recursive: true });
    const tmp = join(this.#dir, `.${key}.${randomBytes(4).toString('hex')}`);
    await writeFile(tmp, JSON.stringify(entry));
    await rename(tmp, join(this.#dir, `${key}.json`));
  }
}
