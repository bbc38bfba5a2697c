import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { KilnError } from '../../compiler/index.js';
import type { Digest } from '../../compiler/index.js';
import type { ContentStore } from '../cache/index.js';
import { trustExtraCaCerts } from '../net/extra-ca-certs.js';
import { DockerCredentials, parseChallenge } from './registry-auth.js';
import type { Credentials } from './registry-auth.js';

/** The manifest media types kiln asks for and understands. */
export const MEDIA = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociLayerZstd: 'application/vnd.oci.image.layer.v1.tar+zstd',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayerGzip: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;
const MANIFEST_ACCEPT = [MEDIA.ociIndex, MEDIA.ociManifest, MEDIA.dockerList, MEDIA.dockerManifest].join(', ');

/** A registry request that failed: the status, the registry's error code when it sent one. */
export class RegistryError extends KilnError {}

/** How a RegistryClient reaches registries. */
export interface RegistryClientOptions {
  /** Hosts spoken to over plain http (loopback hosts always are). */
  readonly insecure?: readonly string[];
  readonly credentials?: { get(host: string): Promise<Credentials | undefined> };
  /** Attempts per request on network errors, 429 and 5xx (default 4), with doubling backoff. */
  readonly attempts?: number;
  /** Blobs above this many bytes are uploaded in chunks of this size (default 32 MiB). */
  readonly chunkSize?: number;
  readonly signal?: AbortSignal;
}

/** What a request sends: a body that can be made again for a retry. */
interface Req {
  readonly method: string;
  readonly headers?: { [k: string]: string };
  readonly body?: () => Uint8Array | Readable;
  /** `pull` or `pull,push`: the token scope asked for on a Bearer challenge. */
  readonly actions: string;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/;

/**
 * A client of the OCI distribution API: Bearer token and basic auth (credentials from the
 * Docker config), plain http for loopback and `insecure` hosts, retries with backoff, digest
 * verification of every manifest and blob it reads (content that does not match is refused
 * and never stored), monolithic and chunked uploads, cross-repository mounts, HEAD first.
 */
export class RegistryClient {
  readonly #o: RegistryClientOptions;
  readonly #creds: { get(host: string): Promise<Credentials | undefined> };
  /** Authorization headers by `host repo actions`, reused until a 401. */
  readonly #auth = new Map<string, string>();

  constructor(options: RegistryClientOptions = {}) {
    this.#o = options;
    this.#creds = options.credentials ?? new DockerCredentials();
  }

  /** The API base of a host (`docker.io` is served by registry-1.docker.io). */
  base(host: string): string {
    const h = host === 'docker.io' ? 'registry-1.docker.io' : host;
    const plain = LOOPBACK.test(h) || (this.#o.insecure ?? []).includes(host);
    return `${plain ? 'http' : 'https'}://${h}/v2/`;
  }

  /** Fetches a manifest or index by tag or digest; its digest is that of the bytes served. */
  async getManifest(host: string, repo: string, reference: string): Promise<{ digest: Digest; mediaType: string; bytes: Uint8Array }> {
    const res = await this.#fetch(host, repo, `${repo}/manifests/${reference}`, { method: 'GET', headers: { accept: MANIFEST_ACCEPT }, actions: 'pull' });
    const bytes = new Uint8Array(await res.arrayBuffer());
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}` as Digest;
    if (reference.includes(':') && reference !== digest) {
      throw new RegistryError('registry/digest-mismatch', `manifest ${host}/${repo}@${reference} served with digest ${digest}: refused`);
    }
    const mediaType = (JSON.parse(new TextDecoder().decode(bytes)) as { mediaType?: string }).mediaType ?? res.headers.get('content-type') ?? MEDIA.ociManifest;
    return { digest, mediaType, bytes };
  }

  /** Downloads a blob into the content store, verified against its digest and size; a mismatch stores nothing. */
  async fetchBlob(store: ContentStore, host: string, repo: string, desc: { readonly digest: string; readonly size?: number }): Promise<void> {
    if (await store.has(desc.digest as Digest)) return;
    const res = await this.#fetch(host, repo, `${repo}/blobs/${desc.digest}`, { method: 'GET', actions: 'pull' });
    try {
      await store.put(Readable.fromWeb(res.body! as import('node:stream/web').ReadableStream<Uint8Array>), {
        expected: desc.digest as Digest, ...(desc.size !== undefined ? { size: desc.size } : {}), ...(this.#o.signal ? { signal: this.#o.signal } : {}),
      });
    } catch (err) {
      if (err instanceof KilnError && /mismatch/.test(err.code)) {
        throw new RegistryError('registry/digest-mismatch', `blob ${desc.digest} from ${host}/${repo}: ${err.message}; refused, nothing stored`, { cause: err });
      }
      throw err;
    }
  }

  async hasBlob(host: string, repo: string, digest: string): Promise<boolean> {
    const res = await this.#fetch(host, repo, `${repo}/blobs/${digest}`, { method: 'HEAD', actions: 'pull,push' }, [404]);
    return res.status === 200;
  }

  /**
   * Uploads a blob unless the registry has it (HEAD), by mounting it from `mountFrom` (a
   * repository of the same host) when given, else monolithic or, above the chunk size, in chunks.
   */
  async pushBlob(host: string, repo: string, desc: { readonly digest: string; readonly size: number }, open: () => Promise<Readable>, mountFrom?: string): Promise<'exists' | 'mounted' | 'uploaded'> {
    if (await this.hasBlob(host, repo, desc.digest)) return 'exists';
    const query = mountFrom && mountFrom !== repo ? `?mount=${encodeURIComponent(desc.digest)}&from=${encodeURIComponent(mountFrom)}` : '';
    const start = await this.#fetch(host, repo, `${repo}/blobs/uploads/${query}`, { method: 'POST', headers: { 'content-length': '0' }, actions: 'pull,push' });
    if (start.status === 201) return 'mounted';
    let location = this.#location(host, start);
    const chunk = this.#o.chunkSize ?? 32 << 20;
    if (desc.size > chunk) {
      let offset = 0;
      const body = await open();
      for await (const piece of chunksOf(body, chunk)) {
        const res = await this.#fetchUrl(host, repo, location, {
          method: 'PATCH', actions: 'pull,push', body: () => piece,
          headers: { 'content-type': 'application/octet-stream', 'content-range': `${offset}-${offset + piece.length - 1}`, 'content-length': String(piece.length) },
        });
        offset += piece.length;
        location = this.#location(host, res);
      }
      await this.#fetchUrl(host, repo, withQuery(location, `digest=${encodeURIComponent(desc.digest)}`), { method: 'PUT', headers: { 'content-length': '0' }, actions: 'pull,push' });
      return 'uploaded';
    }
    const bytes = await readAll(await open());
    await this.#fetchUrl(host, repo, withQuery(location, `digest=${encodeURIComponent(desc.digest)}`), {
      method: 'PUT', actions: 'pull,push', body: () => bytes,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
    });
    return 'uploaded';
  }

  async putManifest(host: string, repo: string, reference: string, mediaType: string, bytes: Uint8Array): Promise<void> {
    await this.#fetch(host, repo, `${repo}/manifests/${reference}`, {
      method: 'PUT', actions: 'pull,push', body: () => bytes, headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
    });
  }

  #location(host: string, res: Response): string {
    const loc = res.headers.get('location');
    if (!loc) throw new RegistryError('registry/protocol', `${host}: upload answered without a Location`);
    return new URL(loc, this.base(host)).href;
  }

  #fetch(host: string, repo: string, path: string, req: Req, okStatus: readonly number[] = []): Promise<Response> {
    return this.#fetchUrl(host, repo, `${this.base(host)}${path}`, req, okStatus);
  }

  async #fetchUrl(host: string, repo: string, url: string, req: Req, okStatus: readonly number[] = []): Promise<Response> {
    const attempts = this.#o.attempts ?? 4;
    const key = `${host} ${repo} ${req.actions}`;
    let authed = false;
    for (let attempt = 1; ; attempt++) {
      let res: Response;
      try {
        const auth = this.#auth.get(key);
        const body = req.body?.();
        await trustExtraCaCerts();
        res = await fetch(url, {
          method: req.method,
          headers: { ...req.headers, ...(auth ? { authorization: auth } : {}) },
          ...(body ? { body: body instanceof Readable ? (Readable.toWeb(body) as ReadableStream) : body, duplex: 'half' } : {}),
          ...(this.#o.signal ? { signal: this.#o.signal } : {}),
          redirect: 'follow',
        } as RequestInit);
      } catch (err) {
        if (this.#o.signal?.aborted || attempt >= attempts) {
          throw new RegistryError('registry/unreachable', `${req.method} ${url}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`, { cause: err });
        }
        await sleep(100 * 2 ** attempt);
        continue;
      }
      if (res.status === 401 && !authed) {
        authed = true;
        await res.body?.cancel();
        await this.#authenticate(host, repo, req.actions, res.headers.get('www-authenticate') ?? '');
        attempt--;
        continue;
      }
      if ((res.status === 429 || res.status >= 500) && attempt < attempts) {
        await res.body?.cancel();
        await sleep(100 * 2 ** attempt);
        continue;
      }
      if (res.ok || okStatus.includes(res.status)) return res;
      const text = await res.text().catch(() => '');
      let detail = text.slice(0, 300);
      try {
        const errs = (JSON.parse(text) as { errors?: { code?: string; message?: string }[] }).errors ?? [];
        if (errs.length) detail = errs.map((e) => `${e.code ?? ''}: ${e.message ?? ''}`).join('; ');
      } catch { /* not JSON */ }
      const code = res.status === 401 || res.status === 403 ? 'registry/unauthorized' : res.status === 404 ? 'registry/not-found' : 'registry/failed';
      throw new RegistryError(code, `${req.method} ${url}: ${res.status} ${res.statusText}${detail ? ` (${detail})` : ''}`);
    }
  }

  async #authenticate(host: string, repo: string, actions: string, header: string): Promise<void> {
    const challenge = parseChallenge(header);
    const creds = await this.#creds.get(host);
    const basic = creds ? `Basic ${Buffer.from(`${creds.username}:${creds.secret}`).toString('base64')}` : undefined;
    const key = `${host} ${repo} ${actions}`;
    if (challenge?.scheme === 'basic') {
      if (!basic) throw new RegistryError('registry/unauthorized', `${host} asks for a user name and password: none found (docker login ${host}, or ~/.docker/config.json)`);
      this.#auth.set(key, basic);
      return;
    }
    if (challenge?.scheme !== 'bearer' || !challenge.params.realm) {
      throw new RegistryError('registry/unauthorized', `${host} refused the request and offered no usable authentication (${header || 'no WWW-Authenticate'})`);
    }
    const url = new URL(challenge.params.realm);
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.set('scope', `repository:${repo}:${actions}`);
    await trustExtraCaCerts();
    const res = await fetch(url, { headers: basic ? { authorization: basic } : {}, ...(this.#o.signal ? { signal: this.#o.signal } : {}) });
    if (!res.ok) throw new RegistryError('registry/unauthorized', `token from ${url.origin}${url.pathname} for ${repo} (${actions}): ${res.status} ${res.statusText}`);
    const body = (await res.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError('registry/unauthorized', `token server ${url.origin} answered without a token`);
    this.#auth.set(key, `Bearer ${token}`);
  }
}

function withQuery(url: string, q: string): string {
  return `${url}${url.includes('?') ? '&' : '?'}${q}`;
}

async function readAll(stream: Readable): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(c as Buffer);
  return new Uint8Array(Buffer.concat(parts));
}

/** A stream cut into pieces of exactly `size` bytes (the last may be shorter). */
async function* chunksOf(stream: Readable, size: number): AsyncGenerator<Uint8Array> {
  let buf: Buffer[] = [];
  let len = 0;
  for await (const c of stream) {
    let data = c as Buffer;
    while (len + data.length >= size) {
      const take = size - len;
      buf.push(data.subarray(0, take));
      yield new Uint8Array(Buffer.concat(buf));
      data = data.subarray(take);
      buf = [];
      len = 0;
    }
    if (data.length > 0) {
      buf.push(data);
      len += data.length;
    }
  }
  if (len > 0) yield new Uint8Array(Buffer.concat(buf));
}
