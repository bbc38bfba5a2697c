/** A parsed, normalized image reference (`docker.io/library/busybox:latest`). */
export interface ImageRef {
  /** Registry host (`docker.io`, `localhost:5000`). */
  readonly domain: string;
  /** Repository path within the registry (`library/busybox`). */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;
const TAG = /^\w[\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$/;

/**
 * Parses and normalizes an image reference as Docker does
 * (`busybox` → `docker.io/library/busybox`). Returns an error message for an
 * invalid one instead of throwing.
 */
export function parseImageRef(ref: string): ImageRef | { error: string } {
  let rest = ref;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { error: `invalid digest ${JSON.stringify(digest)} in ${JSON.stringify(ref)}` };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) return { error: `invalid tag ${JSON.stringify(tag)} in ${JSON.stringify(ref)}` };
  }
  if (!rest) return { error: `invalid reference ${JSON.stringify(ref)}: no repository name` };
  let domain = 'docker.io';
  let path = rest;
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase()) {
      domain = first;
      path = rest.slice(slash + 1);
    }
  }
  if (!DOMAIN.test(domain)) return { error: `invalid registry host ${JSON.stringify(domain)} in ${JSON.stringify(ref)}` };
  if (domain === 'index.docker.io') domain = 'docker.io';
  if (domain === 'docker.io' && !path.includes('/')) path = `library/${path}`;
  if (path !== path.toLowerCase()) return { error: `invalid reference ${JSON.stringify(ref)}: repository name must be lowercase` };
  if (!path.split('/').every((c) => COMPONENT.test(c))) return { error: `invalid reference format ${JSON.stringify(ref)}` };
  if (domain.length + 1 + path.length > 255) return { error: `repository name too long in ${JSON.stringify(ref)}` };
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** Formats a reference; adds `:latest` when it has neither tag nor digest (Docker's TagNameOnly). */
export function formatImageRef(r: ImageRef, { tagNameOnly = true } = {}): string {
  const tag = r.tag ?? (tagNameOnly && !r.digest ? 'latest' : undefined);
  return `${r.domain}/${r.path}${tag ? `:${tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}

/** The Docker-style familiar form (`busybox:latest`, `localhost:5000/x`). */
export function familiarImageRef(r: ImageRef): string {
  const name = r.domain === 'docker.io' ? r.path.replace(/^library\//, '') : `${r.domain}/${r.path}`;
  return `${name}${r.tag ? `:${r.tag}` : ''}${r.digest ? `@${r.digest}` : ''}`;
}
