import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { NetworkMode } from './types.js';

const HOST_RESOLV_CONF = '/etc/resolv.conf';
/** Where systemd-resolved keeps the upstream servers when /etc/resolv.conf points at its stub. */
const SYSTEMD_RESOLV_CONF = '/run/systemd/resolve/resolv.conf';
/** Docker's public fallback (libnetwork's `defaultIPv4NSs` / `defaultIPv6NSs`). */
const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4', '2001:4860:4860::8888', '2001:4860:4860::8844'];

/**
 * The `/etc/resolv.conf` BuildKit gives a container (`oci.GetResolvConf`).
 * With host networking the host's file is used as is (its loopback resolver is
 * reachable); in a new network namespace loopback nameservers are dropped
 * (`TransformForLegacyNw`), the systemd-resolved stub is replaced by its
 * upstream file, and Google's public servers stand in when nothing is left.
 * Comments are dropped, as BuildKit's `Generate(false)` does.
 */
export async function resolvConf(network: NetworkMode, readHostFile: (path: string) => Promise<string | undefined> = readOptional): Promise<string> {
  let text = (await readHostFile(HOST_RESOLV_CONF)) ?? '';
  if (network !== 'host' && isSystemdStub(text)) text = (await readHostFile(SYSTEMD_RESOLV_CONF)) ?? text;
  const rc = parse(text);
  if (network !== 'host' || rc.nameservers.length === 0) {
    rc.nameservers = rc.nameservers.filter((ns) => !isLoopback(ns));
    if (rc.nameservers.length === 0) rc.nameservers = [...DEFAULT_NAMESERVERS];
  }
  let out = rc.nameservers.map((ns) => `nameserver ${ns}\n`).join('');
  if (rc.search.length > 0) out += `search ${rc.search.join(' ')}\n`;
  if (rc.options.length > 0) out += `options ${rc.options.join(' ')}\n`;
  for (const line of rc.other) out += `${line}\n`;
  return out;
}

interface ResolvConf { nameservers: string[]; search: string[]; options: string[]; other: string[] }

function parse(text: string): ResolvConf {
  const rc: ResolvConf = { nameservers: [], search: [], options: [], other: [] };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver') {
      const addr = (rest[0] ?? '').split('%')[0] ?? '';
      if (isIP(addr)) rc.nameservers.push(rest[0] as string);
    } else if (key === 'search') {
      rc.search = rest;
    } else if (key === 'options') {
      rc.options.push(...rest);
    } else {
      rc.other.push(line);
    }
  }
  return rc;
}

function isSystemdStub(text: string): boolean {
  const ns = parse(text).nameservers;
  return ns.length === 1 && ns[0] === '127.0.0.53';
}

function isLoopback(addr: string): boolean {
  const a = addr.split('%')[0] ?? '';
  return a.startsWith('127.') || a === '::1' || a.toLowerCase().startsWith('::ffff:127.');
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
}
