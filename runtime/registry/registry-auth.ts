import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { KilnError } from '../../compiler/index.js';

/** A user name and secret for one registry (an identity token has user `<token>`). */
export interface Credentials {
  readonly username: string;
  readonly secret: string;
}

/** A `WWW-Authenticate` challenge: its scheme and parameters (`realm`, `service`, `scope`). */
export interface Challenge {
  readonly scheme: string;
  readonly params: { readonly [key: string]: string };
}

/** Parses `Bearer realm="https://auth/token",service="registry",scope="repository:x:pull"` (RFC 7235). */
export function parseChallenge(header: string): Challenge | undefined {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: { [key: string]: string } = {};
  const re = /([A-Za-z_]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2]!)) !== null) {
    if (p[0] === '') break;
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

interface DockerConfig {
  auths?: { [host: string]: { auth?: string; username?: string; password?: string; identitytoken?: string } };
  credHelpers?: { [host: string]: string };
  credsStore?: string;
}

/** The host names a registry may be listed under in a Docker config (Docker Hub's several). */
function hostKeys(host: string): string[] {
  if (host === 'docker.io' || host === 'registry-1.docker.io' || host === 'index.docker.io') {
    return ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'];
  }
  return [host, `https://${host}`, `http://${host}`, `https://${host}/v1/`, `https://${host}/v2/`];
}

/**
 * Credentials as the Docker CLI keeps them: `$DOCKER_CONFIG/config.json` (else
 * `~/.docker/config.json`): `credHelpers` per host, then `credsStore`, then `auths`
 * (`auth` is base64 `user:password`; `identitytoken` is a refresh token). Helpers run as
 * `docker-credential-NAME get` with the host on stdin, as Docker runs them.
 */
export class DockerCredentials {
  readonly #file: string;
  #config: Promise<DockerConfig> | undefined;

  constructor(configDir = process.env.DOCKER_CONFIG ?? join(homedir(), '.docker')) {
    this.#file = join(configDir, 'config.json');
  }

  async get(host: string): Promise<Credentials | undefined> {
    const config = await (this.#config ??= readFile(this.#file, 'utf8').then((t) => JSON.parse(t) as DockerConfig, (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return {} as DockerConfig;
      throw new KilnError('registry/bad-config', `cannot read ${this.#file}: ${err.message}`, { cause: err });
    }));
    const keys = hostKeys(host);
    const helper = keys.map((k) => config.credHelpers?.[k]).find((h) => h !== undefined) ?? config.credsStore;
    if (helper) {
      const fromHelper = await this.#helper(helper, keys[0]!);
      if (fromHelper) return fromHelper;
    }
    for (const k of keys) {
      const a = config.auths?.[k];
      if (!a) continue;
      if (a.identitytoken) return { username: '<token>', secret: a.identitytoken };
      if (a.auth) {
        const plain = Buffer.from(a.auth, 'base64').toString('utf8');
        const colon = plain.indexOf(':');
        if (colon > 0) return { username: plain.slice(0, colon), secret: plain.slice(colon + 1) };
      }
      if (a.username && a.password) return { username: a.username, secret: a.password };
    }
    return undefined;
  }

  async #helper(name: string, host: string): Promise<Credentials | undefined> {
    const r = await (await import('execa')).execa(`docker-credential-${name}`, ['get'], { input: host, reject: false });
    if (r.failed) {
      // "credentials not found" is the helper protocol's no-entry answer.
      if (/not found/i.test(`${r.stdout}${r.stderr}`)) return undefined;
      throw new KilnError('registry/credential-helper', `docker-credential-${name} get failed for ${host}: ${(r.stderr || r.shortMessage || '').trim()}`);
    }
    const out = JSON.parse(r.stdout) as { Username?: string; Secret?: string };
    return out.Username !== undefined && out.Secret !== undefined ? { username: out.Username, secret: out.Secret } : undefined;
  }
}
