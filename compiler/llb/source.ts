import type { Op } from '../generated/ops.js';
import { formatImageRef, parseImageRef } from '../image-ref.js';
import { Cap } from './caps.js';
import type { ConstraintsOptions } from './constraints.js';
import { marshalConstraints, withCaps } from './constraints.js';
import { EnvList } from './env-list.js';
import type { Platform } from './platform.js';
import { cleanPath, State } from './state.js';
import type { MarshalContext, MarshaledOp, Output, Vertex } from './vertex.js';
import { finishOp, LlbBuildError } from './vertex.js';

/** The SourceOp vertex: content from outside the graph, named by an identifier URL. */
export class SourceOp implements Vertex {
  readonly identifier: string;
  readonly attrs: { readonly [key: string]: string };
  readonly #constraints: ConstraintsOptions;
  readonly #error: LlbBuildError | undefined;

  constructor(identifier: string, attrs: { readonly [key: string]: string }, constraints: ConstraintsOptions, error?: LlbBuildError) {
    this.identifier = identifier;
    this.attrs = attrs;
    this.#constraints = constraints;
    this.#error = error;
  }

  inputs(): readonly Output[] {
    return [];
  }

  marshal(ctx: MarshalContext): MarshaledOp {
    if (this.#error) throw this.#error;
    let attrs = this.attrs;
    let own = this.#constraints;
    if (this.identifier.startsWith('local://') && attrs['local.session'] === undefined) {
      // BuildKit writes a per-client id here so that different clients never share the op.
      attrs = { ...attrs, 'local.unique': own.localUniqueId ?? ctx.constraints.localUniqueId ?? '' };
      own = withCaps(own, Cap.sourceLocalUnique);
    }
    const { op: base, metadata } = marshalConstraints(ctx.constraints, own);
    const platformSpecific = this.identifier.startsWith('docker-image://') || this.identifier.startsWith('oci-layout://');
    const op: Op = {
      source: { identifier: this.identifier, attrs },
      ...(platformSpecific ? { platform: base.platform } : {}),
      constraints: base.constraints,
    };
    return finishOp(op, metadata, own.sourceLocations);
  }
}

function sourceState(id: string, attrs: { [key: string]: string }, c: ConstraintsOptions, error?: LlbBuildError, state?: State): State {
  const output: Output = { vertex: new SourceOp(id, attrs, c, error), index: 0 };
  return (state ?? new State()).withOutput(output);
}

/** An image config's runtime part, as far as later RUNs care. */
export interface ImageRunConfig {
  readonly Env?: readonly string[];
  readonly WorkingDir?: string;
  readonly User?: string;
}

export interface ImageOptions extends ConstraintsOptions {
  /** `default`, `pull` (always re-resolve) or `local` (prefer the local store). */
  readonly resolveMode?: 'default' | 'pull' | 'local';
  readonly recordType?: string;
  readonly layerLimit?: number;
  /** An already resolved image config: its Env, WorkingDir and User become the state's. */
  readonly config?: ImageRunConfig;
}

/**
 * An image from a registry or the local store (`docker-image://`).
 *
 * @example image('busybox') // docker-image://docker.io/library/busybox:latest
 */
export function image(ref: string, opts: ImageOptions = {}): State {
  const parsed = parseImageRef(ref);
  let c = withCaps(opts, Cap.sourceImage);
  const attrs: { [key: string]: string } = {};
  if (opts.resolveMode && opts.resolveMode !== 'default') {
    attrs['image.resolvemode'] = opts.resolveMode === 'pull' ? 'pull' : 'local';
    if (opts.resolveMode === 'pull') c = withCaps(c, Cap.sourceImageResolveMode);
  }
  if (opts.recordType) attrs['image.recordtype'] = opts.recordType;
  if (opts.layerLimit !== undefined) {
    attrs['image.layerlimit'] = String(opts.layerLimit);
    c = withCaps(c, Cap.sourceImageLayerLimit);
  }
  const error = 'error' in parsed ? new LlbBuildError('bad-image-ref', parsed.error, opts.sourceLocations) : undefined;
  const normalized = 'error' in parsed ? ref : formatImageRef(parsed);
  let state = new State();
  if (opts.platform) state = state.platform(opts.platform);
  if (opts.config) {
    state = new State(undefined, { ...state.meta(), env: EnvList.fromArray(opts.config.Env ?? []) });
    if (opts.config.WorkingDir) state = state.dir(opts.config.WorkingDir);
    if (opts.config.User) state = state.user(opts.config.User);
  }
  return sourceState(`docker-image://${normalized}`, attrs, c, error, state);
}

export interface LocalOptions extends ConstraintsOptions {
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  readonly followPaths?: readonly string[];
  readonly sharedKeyHint?: string;
  readonly sessionId?: string;
  readonly differ?: 'metadata' | 'none';
}

/**
 * A directory the client provides by name (`local://`), e.g. the build context.
 *
 * @example local('context', { exclude: ['node_modules'] })
 */
export function local(name: string, opts: LocalOptions = {}): State {
  const attrs: { [key: string]: string } = {};
  const caps: string[] = [];
  if (opts.sessionId) {
    attrs['local.session'] = opts.sessionId;
    caps.push(Cap.sourceLocalSessionId);
  }
  if (opts.include?.length) {
    attrs['local.includepattern'] = JSON.stringify(opts.include);
    caps.push(Cap.sourceLocalIncludePatterns);
  }
  if (opts.followPaths?.length) {
    attrs['local.followpaths'] = JSON.stringify(opts.followPaths);
    caps.push(Cap.sourceLocalFollowPaths);
  }
  if (opts.exclude?.length) {
    attrs['local.excludepatterns'] = JSON.stringify(opts.exclude);
    caps.push(Cap.sourceLocalExcludePatterns);
  }
  if (opts.sharedKeyHint) {
    attrs['local.sharedkeyhint'] = opts.sharedKeyHint;
    caps.push(Cap.sourceLocalSharedKeyHint);
  }
  if (opts.differ) attrs['local.differ'] = opts.differ;
  caps.push(Cap.sourceLocal);
  return sourceState(`local://${name}`, attrs, withCaps(opts, ...caps));
}

export interface HttpOptions extends ConstraintsOptions {
  /** Expected digest of the content (`sha256:…`). */
  readonly checksum?: string;
  readonly filename?: string;
  /** File mode of the downloaded file. */
  readonly chmod?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly authHeaderSecret?: string;
  readonly headers?: { readonly [name: string]: string };
}

/**
 * A file downloaded over HTTP(S).
 *
 * @example http('https://example.com/a.tgz', { checksum: 'sha256:…' })
 */
export function http(url: string, opts: HttpOptions = {}): State {
  const attrs: { [key: string]: string } = {};
  const caps: string[] = [];
  if (opts.checksum) {
    attrs['http.checksum'] = opts.checksum;
    caps.push(Cap.sourceHttpChecksum);
  }
  if (opts.filename) attrs['http.filename'] = opts.filename;
  if (opts.chmod) {
    attrs['http.perm'] = `0${opts.chmod.toString(8)}`;
    caps.push(Cap.sourceHttpPerm);
  }
  if (opts.uid) {
    attrs['http.uid'] = String(opts.uid);
    caps.push(Cap.sourceHttpUidGid);
  }
  if (opts.gid) {
    attrs['http.gid'] = String(opts.gid);
    caps.push(Cap.sourceHttpUidGid);
  }
  if (opts.authHeaderSecret) {
    attrs['http.authheadersecret'] = opts.authHeaderSecret;
    caps.push(Cap.sourceHttpAuth);
  }
  if (opts.headers) {
    for (const [k, v] of Object.entries(opts.headers)) attrs[`http.header.${k.toLowerCase()}`] = v;
    caps.push(Cap.sourceHttpHeader);
  }
  caps.push(Cap.sourceHttp);
  const error = /^https?:\/\/[^/]/.test(url) ? undefined : new LlbBuildError('bad-url', `not an http(s) URL: ${JSON.stringify(url)}`, opts.sourceLocations);
  return sourceState(url, attrs, withCaps(opts, ...caps), error);
}

export interface GitOptions extends ConstraintsOptions {
  readonly keepGitDir?: boolean;
  readonly subdir?: string;
  readonly checksum?: string;
  readonly skipSubmodules?: boolean;
  readonly knownSshHosts?: string;
  readonly mountSshSock?: string;
  readonly authTokenSecret?: string;
  readonly authHeaderSecret?: string;
}

/** A remote in the forms git accepts: a URL (https, http, git, ssh) or scp-like `user@host:path`. */
function parseGitRemote(url: string): { scheme: string; host: string; path: string; remote: string } | undefined {
  const m = /^(https?|git|ssh):\/\/(?:[^@/]+@)?([^/]+)(\/.*)?$/.exec(url);
  if (m) return { scheme: m[1]!, host: m[2]!, path: m[3] ?? '/', remote: url };
  const scp = /^([a-zA-Z0-9._-]+@)?([a-zA-Z0-9.-]+):(?!\/\/)(.+)$/.exec(url);
  if (scp && scp[1]) return { scheme: 'ssh', host: scp[2]!, path: `/${scp[3]!}`, remote: url };
  return undefined;
}

/**
 * A git repository checkout: `git(remote, ref)`; `ref` may carry `:subdir`.
 *
 * @example git('https://github.com/moby/buildkit.git', 'v0.24.0', { keepGitDir: true })
 */
export function git(remote: string, ref = '', opts: GitOptions = {}): State {
  let parsed = parseGitRemote(remote);
  let url = remote;
  if (!parsed && !/^[a-z]+:\/\//.test(remote)) {
    url = `https://${remote}`;
    parsed = parseGitRemote(url);
  }
  const [gitRef, fragSubdir] = ref.includes(':') ? [ref.slice(0, ref.indexOf(':')), ref.slice(ref.indexOf(':') + 1)] : [ref, ''];
  const subdir = opts.subdir ?? fragSubdir;
  let id = url;
  if (parsed) {
    id = `${parsed.host}${cleanPath(`/${parsed.path}`)}`;
    if (gitRef || subdir) id += `#${gitRef}${subdir ? `:${subdir}` : ''}`;
  }
  const attrs: { [key: string]: string } = {};
  const caps: string[] = [];
  if (opts.keepGitDir) {
    attrs['git.keepgitdir'] = 'true';
    caps.push(Cap.sourceGitKeepDir);
  }
  if (url) {
    attrs['git.fullurl'] = url;
    caps.push(Cap.sourceGitFullUrl);
  }
  attrs['git.authtokensecret'] = opts.authTokenSecret ?? 'GIT_AUTH_TOKEN';
  attrs['git.authheadersecret'] = opts.authHeaderSecret ?? 'GIT_AUTH_HEADER';
  if (parsed?.scheme === 'ssh') {
    if (opts.knownSshHosts) attrs['git.knownsshhosts'] = opts.knownSshHosts;
    caps.push(Cap.sourceGitKnownSshHosts);
    attrs['git.mountsshsock'] = opts.mountSshSock || 'default';
    caps.push(Cap.sourceGitMountSshSock);
  }
  if (opts.checksum) {
    attrs['git.checksum'] = opts.checksum;
    caps.push(Cap.sourceGitChecksum);
  }
  if (opts.skipSubmodules) {
    attrs['git.skipsubmodules'] = 'true';
    caps.push(Cap.sourceGitSkipSubmodules);
  }
  caps.push(Cap.sourceGit);
  const error = parsed ? undefined : new LlbBuildError('bad-git-url', `not a git remote: ${JSON.stringify(remote)}`, opts.sourceLocations);
  return sourceState(`git://${id}`, attrs, withCaps(opts, ...caps), error);
}

export interface OciLayoutOptions extends ConstraintsOptions {
  readonly sessionId?: string;
  readonly storeId?: string;
  readonly layerLimit?: number;
}

/**
 * An image from an OCI layout the client provides (`oci-layout://store@sha256:…`).
 *
 * @example ociLayout('mystore@sha256:…', { storeId: 'mystore' })
 */
export function ociLayout(ref: string, opts: OciLayoutOptions = {}): State {
  const attrs: { [key: string]: string } = {};
  if (opts.sessionId) attrs['oci.session'] = opts.sessionId;
  if (opts.storeId) attrs['oci.store'] = opts.storeId;
  if (opts.layerLimit !== undefined) attrs['oci.layerlimit'] = String(opts.layerLimit);
  const error = /@sha256:[0-9a-f]{64}$/.test(ref) ? undefined : new LlbBuildError('bad-oci-ref', `an oci-layout reference needs a digest: ${JSON.stringify(ref)}`, opts.sourceLocations);
  let state = new State();
  if (opts.platform) state = state.platform(opts.platform);
  return sourceState(`oci-layout://${ref}`, attrs, withCaps(opts, Cap.sourceOciLayout), error, state);
}


/** Resolves an image reference to its digest and config (a Gateway's `resolveImageConfig`). */
export type ImageResolver = (ref: string, platform?: Platform) => Promise<{ readonly digest: string; readonly config: { readonly config?: ImageRunConfig } }>;

/**
 * An image resolved before use, as BuildKit's `llb.Image(ref, WithMetaResolver(...))`:
 * the reference is pinned to the resolved digest and the image config's Env,
 * WorkingDir and User become the state's.
 *
 * @example const base = await resolvedImage('busybox', gateway.resolveImageConfig.bind(gateway));
 */
export async function resolvedImage(ref: string, resolve: ImageResolver, opts: ImageOptions = {}): Promise<State> {
  const parsed = parseImageRef(ref);
  if ('error' in parsed) return image(ref, opts);
  const named = formatImageRef(parsed);
  const { digest, config } = await resolve(named, opts.platform);
  const pinned = parsed.digest ? named : `${named}@${digest}`;
  return image(pinned, { ...opts, config: config.config ?? {} });
}
