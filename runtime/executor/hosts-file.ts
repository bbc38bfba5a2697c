import type { ExtraHost } from './types.js';

/** BuildKit's hostname for build containers. */
export const DEFAULT_HOSTNAME = 'buildkitsandbox';

/**
 * The `/etc/hosts` BuildKit gives a container (`oci.GetHostsFile`): localhost
 * and the hostname on 127.0.0.1, the IPv6 loopback names, then one line per
 * extra host, tab-separated.
 */
export function hostsFile(hostname: string, extraHosts: readonly ExtraHost[]): string {
  let out = `127.0.0.1\tlocalhost ${hostname || DEFAULT_HOSTNAME}\n::1\tlocalhost ip6-localhost ip6-loopback\n`;
  for (const h of extraHosts) out += `${h.ip}\t${h.host}\n`;
  return out;
}
