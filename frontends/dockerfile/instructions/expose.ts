import { isIP } from 'node:net';
import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { ExposeCommand } from './commands.js';
import { failure, isFailure, type Failure } from './failure.js';
import { goQuote } from './go-strconv.js';
import { base, errAtLeastOneArgument, parseFlags, type ParseRequest } from './request.js';

/**
 * EXPOSE and its port specs. The instruction keeps the words (sorted, as
 * BuildKit does); conversion expands variables, then `expandPorts` turns each
 * `[ip:][hostPort:]port[-end][/proto]` into `port/proto` keys (dockerfile2llb's
 * `portSpecs.parsePorts`): ranges listed, protocol lower-cased (default tcp),
 * the IP and host-port parts checked and dropped.
 */

/** `EXPOSE 80 443/tcp 8000-8002/udp`. */
export function parseExpose(req: ParseRequest): ExposeCommand | Diagnostic {
  if (req.args.length === 0) return errAtLeastOneArgument(req, 'EXPOSE');
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  // Go's slices.Sort: byte order, which code-unit order matches for these words.
  const ports = [...req.args].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { kind: 'expose', ...base(req), ports };
}

/**
 * Every `port/proto` of the specs, in order.
 *
 * @example
 * expandPorts(['8000-8002/tcp', '53/udp']) // ['8000/tcp', '8001/tcp', '8002/tcp', '53/udp']
 */
export function expandPorts(specs: readonly string[]): string[] | Failure {
  const out: string[] = [];
  for (const spec of specs) {
    const ports = expandPort(spec);
    if (isFailure(ports)) return ports;
    out.push(...ports);
  }
  return out;
}

const invalid = (message: string): Failure => failure('invalid-port', message);

/** The `port/proto` keys of one spec. */
export function expandPort(spec: string): string[] | Failure {
  const parts = spec.split(':');
  const n = parts.length;
  let ip = n >= 3 ? parts.slice(0, n - 2).join(':') : '';
  const hostPort = n >= 2 ? (parts[n - 2] ?? '') : '';
  const slash = (parts[n - 1] ?? '').indexOf('/');
  const last = parts[n - 1] ?? '';
  const containerPort = slash < 0 ? last : last.slice(0, slash);
  const proto = slash < 0 ? '' : last.slice(slash + 1);
  if (containerPort === '') return invalid(`invalid port: ${goQuote(spec)}: no port specified`);
  if (!['', 'tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) return invalid(`invalid port: ${goQuote(spec)}: invalid proto: ${proto}`);

  if (ip.startsWith('[')) {
    // Go's net.SplitHostPort(ip + ":") strips the brackets of an IPv6 address.
    const m = /^\[([^\]]*)\]$/.exec(ip);
    if (!m) return invalid(`invalid IP address ${ip}`);
    ip = m[1] ?? '';
  }
  // Go's net.ParseIP takes no zone (`%eth0`).
  if (ip !== '' && (isIP(ip) === 0 || ip.includes('%'))) return invalid(`invalid IP address: ${ip}`);

  const range = parsePortRange(containerPort);
  if (!range) return invalid(`invalid containerPort: ${containerPort}`);
  const [start, end] = range;
  if (hostPort !== '') {
    const hostRange = parsePortRange(hostPort);
    if (!hostRange) return invalid(`invalid hostPort: ${hostPort}`);
    // A host range is allowed against a single container port (a pool to allocate from).
    if (end - start !== hostRange[1] - hostRange[0] && end !== start) {
      return invalid(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
    }
  }
  const protocol = (proto || 'tcp').toLowerCase();
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${protocol}`);
  return out;
}

function parsePortRange(ports: string): [number, number] | undefined {
  if (ports === '') return undefined;
  const dash = ports.indexOf('-');
  const startText = dash < 0 ? ports : ports.slice(0, dash);
  const endText = dash < 0 ? '' : ports.slice(dash + 1);
  const start = parsePortNumber(startText);
  if (start === undefined) return undefined;
  if (dash < 0 || startText === endText) return [start, start];
  const end = parsePortNumber(endText);
  if (end === undefined || end < start) return undefined;
  return [start, end];
}

// Go's strconv.ParseInt(s, 10, 0) accepts a sign; the port must be within 0–65535.
function parsePortNumber(s: string): number | undefined {
  if (!/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 0 && n <= 65535 ? n : undefined;
}
