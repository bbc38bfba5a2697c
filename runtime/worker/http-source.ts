import { createHash } from 'node:crypto';
import { chmodSync, createWriteStream, lchownSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { KilnError } from '../../compiler/index.js';
import { trustExtraCaCerts } from '../net/extra-ca-certs.js';

import type { Operation, Vertex } from '../solver/index.js';
import type { WorkerContext } from './worker-context.js';


/** A download whose bytes are not what the build said they would be. */
export class ChecksumMismatchError extends KilnError {}

/** The file name a download gets: `http.filename`, else the URL path's last part, else `index`. */
function fileNameOf(url: string, attrs: { readonly [k: string]: string }): string {
  const given = attrs['http.filename'];
  if (given) return given.replace(/^\/+/, '');
  const last = new URL(url).pathname.split('/').filter(Boolean).pop();
  return last ? decodeURIComponent(last) : 'index';
}

/** Downloads `url` (following redirects), hashing it on the way; returns the temp file and its digest. */
async function download(url: string, headers: { [k: string]: string }, dir: string, signal: AbortSignal): Promise<{ file: string; digest: string }> {
  await trustExtraCaCerts();
  const res = await fetch(url, { headers, signal, redirect: 'follow' }).catch((err: unknown) => {
    throw new KilnError('http/unreachable', `GET ${url}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`, { cause: err });
  });
  if (!res.ok || !res.body) throw new KilnError('http/failed', `GET ${url}: ${res.status} ${res.statusText}`);
  const h = createHash('sha256');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `.download-${process.pid}-${Math.random().toString(16).slice(2)}`);
  await pipeline(Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>),
    new Transform({ transform(c: Buffer, _e, cb) { h.update(c); cb(null, c); } }), createWriteStream(file, { mode: 0o600 }), { signal });
  return { file, digest: `sha256:${h.digest('hex')}` };
}

/**
 * `https://` and `http://` sources (BuildKit's HTTP source): one file, `/NAME`, in an otherwise
 * empty snapshot, with `http.perm` (default 0600), `http.uid`/`http.gid`. With `http.checksum`
 * the cache key is the checksum itself (no request at all while the result is cached) and the
 * download must match it: a mismatch names the URL and both digests and keeps nothing.
 * Without one, the content is fetched to compute the key.
 */
export function httpSource(v: Vertex, w: WorkerContext): Operation {
  const url = v.op.source!.identifier!;
  const attrs = v.op.source!.attrs ?? {};
  const checksum = attrs['http.checksum'];
  const headers: { [k: string]: string } = {};
  for (const [k, val] of Object.entries(attrs)) if (k.startsWith('http.header.')) headers[k.slice('http.header.'.length)] = val;
  let fetched: Promise<{ file: string; digest: string }> | undefined;
  const fetchOnce = (signal: AbortSignal) => (fetched ??= download(url, headers, w.stateDir, signal));
  return {
    async contentKey(signal) {
      if (checksum) return `http:${checksum}`;
      return `http:${(await fetchOnce(signal)).digest}`;
    },
    async exec(_inputs, ctx) {
      const { file, digest } = await fetchOnce(ctx.signal);
      try {
        if (checksum && digest !== checksum) {
          throw new ChecksumMismatchError('http/checksum-mismatch', `${url}: the download has digest ${digest}, but the build expects ${checksum}`);
        }
        const active = await w.snapshotter.prepare([]);
        try {
          const dest = join(active.dir, fileNameOf(url, attrs));
          await rename(file, dest);
          lchownSync(dest, Number(attrs['http.uid'] ?? 0), Number(attrs['http.gid'] ?? 0));
          chmodSync(dest, attrs['http.perm'] ? parseInt(attrs['http.perm'], 8) : 0o600);
          return [{ id: await w.snapshotter.commit(active) }];
        } catch (err) {
          await w.snapshotter.abort(active);
          throw err;
        }
      } finally {
        await rm(file, { force: true });
      }
    },
  };
}

