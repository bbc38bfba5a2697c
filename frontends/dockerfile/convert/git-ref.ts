import { KilnError } from '../../../compiler/index.js';

/** A git source written in an ADD (`https://host/repo.git#ref:subdir`, `git@host:repo`). */
export interface GitRef {
  /** The repository URL without fragment and query. */
  readonly remote: string;
  readonly ref?: string;
  readonly subdir?: string;
  readonly keepGitDir?: boolean;
  readonly checksum?: string;
  /** `?submodules=`; undefined when not given. */
  readonly submodules?: boolean;
  /**
   * `github.com/org/repo`: git for build contexts only; ADD copies it as a local
   * path (BuildKit's deprecated `IndistinguishableFromLocal`).
   */
  readonly local?: true;
}

const GIT_PROTOCOLS = new Set(['http', 'https', 'ssh', 'git']);
// sshutil's scp-like form: `user@host:path[?query][#fragment]`.
const SCP_LIKE = /^([a-zA-Z0-9-_]+)@([a-zA-Z0-9-.]+):(.*?)(?:\?(.*?))?(?:#(.*))?$/;

/**
 * Recognizes a git source as BuildKit's dfgitutil.ParseGitRef does: a URL of a
 * git transport (http and https only when the path ends in `.git`), scp-like
 * `user@host:path`, or `github.com/…` (marked `local`). The fragment
 * `#ref[:subdir]` and the query (`ref`, `tag`, `branch`, `subdir`, `checksum`,
 * `commit`, `keep-git-dir`, `submodules`) select what to check out.
 * Returns undefined for anything that is not git.
 *
 * @throws KilnError for a git URL with a bad query (unknown key, conflicting refs).
 * @example
 * parseGitRef('https://github.com/moby/buildkit.git?tag=v1#:docs');
 * // { remote: 'https://github.com/moby/buildkit.git', ref: 'refs/tags/v1', subdir: 'docs' }
 */
export function parseGitRef(src: string): GitRef | undefined {
  if (src.startsWith('./') || src.startsWith('../')) return undefined;
  if (src.startsWith('github.com/')) {
    const [beforeFragment, fragment] = cut(src, '#');
    const [remote, query] = cut(beforeFragment, '?');
    return { ...withOptions(remote, fragment, query), local: true };
  }
  const proto = /^([a-zA-Z0-9]+):\/\//.exec(src);
  if (proto) {
    const scheme = proto[1]!.toLowerCase();
    if (!GIT_PROTOCOLS.has(scheme)) return undefined;
    const [beforeFragment, fragment] = cut(src, '#');
    const [remote, query] = cut(beforeFragment, '?');
    if (scheme === 'http' || scheme === 'https') {
      const path = remote.slice(proto[0].length).replace(/^[^/]*/, '');
      if (!safeDecode(path).endsWith('.git')) return undefined;
    }
    return withOptions(scheme + remote.slice(scheme.length), fragment, query);
  }
  const scp = SCP_LIKE.exec(src);
  if (!scp) return undefined;
  return withOptions(`${scp[1]!}@${scp[2]!}:${scp[3]!}`, scp[5] ?? '', scp[4] ?? '');
}

function withOptions(remote: string, fragment: string, query: string): GitRef {
  const out: { -readonly [K in keyof GitRef]: GitRef[K] } = { remote };
  if (fragment) {
    const [ref, subdir] = cut(fragment, ':');
    if (ref) out.ref = ref;
    if (subdir) out.subdir = subdir;
  }
  applyQuery(out, query);
  return out;
}

/** dfgitutil's loadQuery: one value per key; tag and branch become full ref names. */
function applyQuery(out: { -readonly [K in keyof GitRef]: GitRef[K] }, query: string): void {
  if (!query) return;
  const params = new URLSearchParams(query);
  let tag = '';
  let branch = '';
  const fail = (message: string): never => {
    throw new KilnError('dockerfile/git-ref', message);
  };
  const bool = (key: string, v: string): boolean => {
    if (v === '') return true;
    if (/^(1|t|T|TRUE|true|True)$/.test(v)) return true;
    if (/^(0|f|F|FALSE|false|False)$/.test(v)) return false;
    return fail(`invalid ${key} value: "${v}"`);
  };
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    if (values.length > 1) fail(`query "${key}" has multiple values`);
    const v = values[0]!;
    if (v === '' && key !== 'submodules' && key !== 'keep-git-dir' && key !== 'fetch-by-commit') fail(`query "${key}" has no value`);
    switch (key) {
      case 'ref':
        if (out.ref && out.ref !== v) fail(`ref conflicts: "${out.ref}" vs "${v}"`);
        out.ref = v;
        break;
      case 'tag': tag = v; break;
      case 'branch': branch = v; break;
      case 'subdir':
        if (out.subdir && out.subdir !== v) fail(`subdir conflicts: "${out.subdir}" vs "${v}"`);
        out.subdir = v;
        break;
      case 'checksum':
      case 'commit': out.checksum = v; break;
      case 'keep-git-dir': out.keepGitDir = bool(key, v); break;
      case 'submodules': out.submodules = bool(key, v); break;
      // Newer BuildKit keys: accepted and checked; kiln's git source does not use them yet.
      case 'mtime':
        if (v !== 'commit' && v !== 'checkout') fail(`invalid mtime value: "${v}"`);
        break;
      case 'fetch-by-commit': bool(key, v); break;
      default: fail(`unexpected query "${key}"`);
    }
  }
  if (tag) {
    const full = tag.startsWith('refs/tags/') ? tag : `refs/tags/${tag}`;
    if (out.ref && out.ref !== full) fail(`ref conflicts: "${out.ref}" vs "${full}"`);
    out.ref = full;
  }
  if (branch) {
    if (tag) fail('branch conflicts with tag');
    const full = branch.startsWith('refs/heads/') ? branch : `refs/heads/${branch}`;
    if (out.ref && out.ref !== full) fail(`ref conflicts: "${out.ref}" vs "${full}"`);
    out.ref = full;
  }
}

function cut(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + sep.length)];
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
