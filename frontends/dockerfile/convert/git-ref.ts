/** A git source written in an ADD (`https://host/repo.git#ref:subdir`, `git@host:repo`). */
export interface GitRef {
  readonly remote: string;
  readonly ref?: string;
  readonly subdir?: string;
  readonly keepGitDir?: boolean;
  readonly checksum?: string;
}

const GIT_PREFIX = /^(?:git@[^:]+:|git:\/\/|ssh:\/\/|github\.com\/)/;

/**
 * Recognizes a git URL the way the Dockerfile frontend does: git transports,
 * scp-like `user@host:path`, `github.com/…`, or an http(s) URL whose path ends
 * in `.git`. The fragment `#ref[:subdir]` or query (`?ref=…&subdir=…&keep-git-dir=…&checksum=…`)
 * selects what to check out. Returns undefined for anything that is not git.
 */
export function parseGitRef(src: string): GitRef | undefined {
  const hash = src.indexOf('#');
  const base = hash >= 0 ? src.slice(0, hash) : src;
  const fragment = hash >= 0 ? src.slice(hash + 1) : '';
  let remote = base;
  let query = '';
  const q = base.indexOf('?');
  if (q >= 0 && /^(https?|git|ssh):\/\//.test(base)) {
    remote = base.slice(0, q);
    query = base.slice(q + 1);
  }
  const isGit = GIT_PREFIX.test(remote) || /^https?:\/\/[^/]+\/.+\.git\/?$/.test(remote);
  if (!isGit) return undefined;
  const out: { remote: string; ref?: string; subdir?: string; keepGitDir?: boolean; checksum?: string } = { remote };
  if (fragment) {
    const colon = fragment.indexOf(':');
    const ref = colon >= 0 ? fragment.slice(0, colon) : fragment;
    if (ref) out.ref = ref;
    if (colon >= 0 && fragment.slice(colon + 1)) out.subdir = fragment.slice(colon + 1);
  }
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === 'ref' || k === 'tag' || k === 'branch') out.ref = v;
    else if (k === 'subdir') out.subdir = v;
    else if (k === 'keep-git-dir') out.keepGitDir = v === 'true';
    else if (k === 'checksum' || k === 'commit') out.checksum = v;
  }
  return out;
}
