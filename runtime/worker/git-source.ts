import { randomBytes } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import { resolveInRoot } from '../ops/file/resolve-in-root.js';
import { copyTree } from '../snapshot/copy-tree.js';
import type { Operation, Vertex } from '../solver/index.js';
import type { WorkerContext } from './worker-context.js';

/** What a `git://` source names: BuildKit's GitIdentifier, from the identifier and its attributes. */
export interface GitSpec {
  /** What git fetches from (`git.fullurl`, else https:// and the identifier's remote). */
  readonly url: string;
  /** Branch, tag or commit; empty for the remote's HEAD. */
  readonly ref: string;
  /** A directory of the repository to take instead of its root. */
  readonly subdir: string;
  readonly keepGitDir: boolean;
  /** A commit (or its prefix) the ref must resolve to. */
  readonly checksum: string;
  readonly skipSubmodules: boolean;
  readonly authTokenSecret: string;
  readonly authHeaderSecret: string;
  readonly sshSocketId: string | undefined;
}

/** Parses `git://host/path#ref:subdir` and its `git.*` attributes. */
export function parseGitSource(identifier: string, attrs: { readonly [k: string]: string }): GitSpec {
  const rest = identifier.replace(/^git:\/\//, '');
  const hash = rest.indexOf('#');
  const remote = hash < 0 ? rest : rest.slice(0, hash);
  const fragment = hash < 0 ? '' : rest.slice(hash + 1);
  const colon = fragment.indexOf(':');
  return {
    url: attrs['git.fullurl'] || `https://${remote}`,
    ref: colon < 0 ? fragment : fragment.slice(0, colon),
    subdir: colon < 0 ? '' : fragment.slice(colon + 1),
    keepGitDir: attrs['git.keepgitdir'] === 'true',
    checksum: attrs['git.checksum'] ?? '',
    skipSubmodules: attrs['git.skipsubmodules'] === 'true',
    authTokenSecret: attrs['git.authtokensecret'] || 'GIT_AUTH_TOKEN',
    authHeaderSecret: attrs['git.authheadersecret'] || 'GIT_AUTH_HEADER',
    sshSocketId: attrs['git.mountsshsock'] || undefined,
  };
}

const COMMIT = /^[0-9a-f]{40}$/;

/**
 * The commit `ref` names in `git ls-remote` output, as git would pick it: a commit itself, a
 * branch, then a tag (peeled to its commit); the remote's HEAD when `ref` is empty.
 */
export function pickCommit(lsRemote: string, ref: string): string | undefined {
  if (COMMIT.test(ref)) return ref;
  const refs = new Map<string, string>();
  for (const line of lsRemote.split('\n')) {
    const [sha, name] = line.trim().split(/\s+/);
    if (sha && name && COMMIT.test(sha)) refs.set(name, sha);
  }
  if (ref === '' || ref === 'HEAD') return refs.get('HEAD');
  const full = ref.startsWith('refs/') ? [ref] : [`refs/heads/${ref}`, `refs/tags/${ref}`];
  for (const name of full) {
    const commit = refs.get(`${name}^{}`) ?? refs.get(name);
    if (commit) return commit;
  }
  return undefined;
}

/** git with the source's credentials: an auth header or token from the build's secrets, an ssh agent. */
async function gitRunner(spec: GitSpec, w: WorkerContext) {
  const { execa } = await import('execa');
  const config: string[] = [];
  const header = w.secrets.get(spec.authHeaderSecret);
  const token = w.secrets.get(spec.authTokenSecret);
  const origin = /^https?:\/\//.test(spec.url) ? new URL(spec.url).origin : undefined;
  if (origin && header) config.push('-c', `http.${origin}/.extraheader=Authorization: ${Buffer.from(header).toString()}`);
  else if (origin && token) config.push('-c', `http.${origin}/.extraheader=Authorization: basic ${Buffer.from(`x-access-token:${Buffer.from(token).toString()}`).toString('base64')}`);
  const sock = spec.sshSocketId ? w.ssh.get(spec.sshSocketId) : undefined;
  const env = {
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    ...(sock ? { SSH_AUTH_SOCK: sock, GIT_SSH_COMMAND: 'ssh -o StrictHostKeyChecking=accept-new' } : {}),
  };
  return async (args: readonly string[], signal?: AbortSignal): Promise<string> => {
    const r = await execa('git', [...config, ...args], { env, reject: false, stdin: 'ignore', ...(signal ? { cancelSignal: signal } : {}) });
    if (r.exitCode !== 0) {
      const why = String(r.stderr || r.stdout || r.shortMessage || `exit ${String(r.exitCode)}`).trim().split('\n').slice(-3).join('; ');
      throw new KilnError('solver/git-failed', `git ${args[0]} ${spec.url}: ${why}`);
    }
    return String(r.stdout);
  };
}

/**
 * `git://…` (BuildKit's git source): keyed by the commit the ref resolves to (`git ls-remote`,
 * no fetch while cached); the checkout (the subdirectory when one is named, `.git` only with
 * keepgitdir) becomes one snapshot, owned by root as BuildKit's is.
 */
export function gitSource(v: Vertex, w: WorkerContext): Operation {
  const spec = parseGitSource(v.op.source!.identifier!, v.op.source!.attrs ?? {});
  let resolved: Promise<string> | undefined;
  const commit = (signal?: AbortSignal): Promise<string> => {
    resolved ??= (async () => {
      const git = await gitRunner(spec, w);
      const listed = COMMIT.test(spec.ref) ? '' : await git(['ls-remote', spec.url, ...(spec.ref ? [spec.ref, `${spec.ref}^{}`] : ['HEAD'])], signal);
      const sha = pickCommit(listed, spec.ref);
      if (!sha) throw new KilnError('solver/git-ref', `git ${spec.url}: no branch, tag or commit named ${JSON.stringify(spec.ref || 'HEAD')}`);
      if (spec.checksum && !sha.startsWith(spec.checksum)) {
        throw new KilnError('solver/git-checksum', `git ${spec.url}#${spec.ref}: expected checksum to match ${spec.checksum}, got ${sha}`);
      }
      return sha;
    })();
    return resolved;
  };
  return {
    async contentKey(signal) {
      return `git:${JSON.stringify([await commit(signal), spec.subdir, spec.keepGitDir, spec.skipSubmodules])}`;
    },
    async exec(_inputs, ctx) {
      const sha = await commit(ctx.signal);
      const git = await gitRunner(spec, w);
      const work = join(w.stateDir, `git-${randomBytes(8).toString('hex')}`);
      try {
        await mkdir(work, { recursive: true });
        await git(['init', '-q', work], ctx.signal);
        // One commit deep unless .git is kept; by name when the ref is one (servers refuse
        // unadvertised commits unless configured to).
        const want = COMMIT.test(spec.ref) ? sha : spec.ref || 'HEAD';
        await git(['-C', work, 'fetch', '-q', '--no-tags', ...(spec.keepGitDir ? [] : ['--depth=1']), spec.url, want], ctx.signal);
        const fetched = (await git(['-C', work, 'rev-parse', 'FETCH_HEAD^{commit}'], ctx.signal)).trim();
        if (fetched !== sha) throw new KilnError('solver/git-ref', `git ${spec.url}#${spec.ref}: the ref moved during the build (${sha} -> ${fetched}); build again`);
        await git(['-C', work, '-c', 'advice.detachedHead=false', 'checkout', '-q', sha], ctx.signal);
        if (!spec.skipSubmodules) await git(['-C', work, 'submodule', 'update', '-q', '--init', '--recursive', '--depth=1'], ctx.signal);
        const from = spec.subdir ? await resolveInRoot(work, spec.subdir, { followFinal: true }) : work;
        const active = await w.snapshotter.prepare([]);
        try {
          await copyTree(from, active.dir, { signal: ctx.signal, ...(spec.keepGitDir && !spec.subdir ? {} : { skip: ['.git'] }) });
          return [{ id: await w.snapshotter.commit(active) }];
        } catch (err) {
          await w.snapshotter.abort(active);
          throw err;
        }
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}
