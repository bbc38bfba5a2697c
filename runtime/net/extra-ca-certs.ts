// Node 20 reads NODE_EXTRA_CA_CERTS while it starts, before any JavaScript runs: it builds its
// whole root store (its ~140 bundled roots plus the file's). That took ~85 ms of every kiln
// command here, though most builds never open a TLS connection. So kiln's launcher moves the
// variable aside (KILN_DEFERRED_CA_CERTS) and kiln trusts the file itself, on the first request
// that might use TLS, as Node would have: added to Node's roots, never instead of them.
import type * as Crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Tls from 'node:tls';

/** The variable the launcher moves NODE_EXTRA_CA_CERTS to. */
export const DEFERRED_CA_CERTS_ENV = 'KILN_DEFERRED_CA_CERTS';

let deferredFile: string | undefined;
let trusted: Promise<void> | undefined;

/**
 * Takes the deferred file back from the launcher: `env` gets NODE_EXTRA_CA_CERTS back (child
 * processes see what the user set) and trustExtraCaCerts() will load it. Called by the
 * executable's entry only, never while the start-up snapshot is made (it would stay in it).
 */
export function adoptDeferredCaCerts(env: NodeJS.ProcessEnv = process.env): void {
  const file = env[DEFERRED_CA_CERTS_ENV];
  delete env[DEFERRED_CA_CERTS_ENV];
  if (!file) return;
  env.NODE_EXTRA_CA_CERTS = file;
  deferredFile = file;
}

/** Makes fetch() trust the deferred NODE_EXTRA_CA_CERTS file, once; call before any request. */
export function trustExtraCaCerts(): Promise<void> {
  if (deferredFile === undefined) return Promise.resolve();
  trusted ??= trust(deferredFile);
  return trusted;
}

async function trust(file: string): Promise<void> {
  // required here, not imported: an ES import of node:tls reads its root list, the cost deferred,
  // and code started from the snapshot has no import() for Node's built-ins.
  const require = createRequire(import.meta.url);
  const { X509Certificate } = require('node:crypto') as typeof Crypto;
  const { rootCertificates } = require('node:tls') as typeof Tls;
  // undici is CommonJS: its module.exports is the default export under Node and esbuild alike.
  const { Agent, setGlobalDispatcher } = (await import('undici')).default;
  const extra = readCertificates(file, (pem) => new X509Certificate(pem));
  if (extra.length === 0) return;
  // undici is the library behind Node's fetch(); its global dispatcher is shared with it.
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, ...extra] } }));
}

/** The PEM certificates in `file`; as Node does, a file it cannot use is a warning, not a failure. */
export function readCertificates(file: string, parse: (pem: string) => unknown): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    warn(file, (err as Error).message);
    return [];
  }
  const certs: string[] = [];
  for (const m of text.matchAll(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g)) {
    try {
      parse(m[0]);
      certs.push(m[0]);
    } catch (err) {
      warn(file, (err as Error).message);
      return [];
    }
  }
  if (certs.length === 0) warn(file, 'no PEM certificate in it');
  return certs;
}

function warn(file: string, why: string): void {
  process.stderr.write(`warning: ignoring extra certs from ${file} (NODE_EXTRA_CA_CERTS): ${why}\n`);
}
