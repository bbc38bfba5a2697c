import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { HealthcheckCommand } from './commands.js';
import { failure, isFailure, toDiagnostic, type Failure } from './failure.js';
import type { Flag } from './flags.js';
import { parseGoDuration } from './go-duration.js';
import { goParseInt, goQuote } from './go-strconv.js';
import { base, errAtLeastOneArgument, fail, handleJsonArgs, parseFlags, type ParseRequest } from './request.js';

/**
 * `HEALTHCHECK [--interval=…] [--timeout=…] [--start-period=…]
 * [--start-interval=…] [--retries=…] CMD command` and `HEALTHCHECK NONE`.
 * Durations are Go durations (`30s`, `1m30s`), kept in nanoseconds; 0 means
 * "not set" (the runtime's default applies).
 */

const MILLISECOND = 1_000_000;

/** `HEALTHCHECK …`: the test command and its timing. */
export function parseHealthcheck(req: ParseRequest): HealthcheckCommand | Diagnostic {
  const [first, ...rest] = req.args;
  if (first === undefined) return errAtLeastOneArgument(req, 'HEALTHCHECK');
  const empty = { interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
  let type = first.toUpperCase();

  if (type === 'NONE') {
    // BuildKit parses no flags for NONE: `HEALTHCHECK --interval=1s NONE` is accepted as is.
    if (rest.length !== 0) return fail(req, 'healthcheck-arguments', 'HEALTHCHECK NONE takes no arguments');
    return { kind: 'healthcheck', ...base(req), test: [type], ...empty };
  }

  const interval = req.flags.addString('interval');
  const timeout = req.flags.addString('timeout');
  const startPeriod = req.flags.addString('start-period');
  const startInterval = req.flags.addString('start-interval');
  const retries = req.flags.addString('retries');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  if (type !== 'CMD') return fail(req, 'healthcheck-type', `Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const cmd = handleJsonArgs(rest, req.json);
  if (cmd.length === 0) return fail(req, 'healthcheck-command', 'Missing command after HEALTHCHECK CMD');
  if (!req.json) type = 'CMD-SHELL';

  const durations: number[] = [];
  for (const flag of [interval, timeout, startPeriod, startInterval]) {
    const d = parseInterval(flag);
    if (isFailure(d)) return toDiagnostic(d, req.node.range);
    durations.push(d);
  }

  let retryCount = 0;
  if (retries.value !== '') {
    const n = goParseInt(retries.value, 32);
    if (isFailure(n)) return toDiagnostic({ ...n, slug: 'healthcheck-retries' }, req.node.range);
    if (n < 0) return fail(req, 'healthcheck-retries', `--retries cannot be negative (${n})`);
    retryCount = n;
  }

  const [i = 0, t = 0, sp = 0, si = 0] = durations;
  return { kind: 'healthcheck', ...base(req), test: [type, ...cmd], interval: i, timeout: t, startPeriod: sp, startInterval: si, retries: retryCount };
}

/** BuildKit's `parseOptInterval`: empty or zero is 0; otherwise at least 1ms. */
function parseInterval(flag: Flag): number | Failure {
  if (flag.value === '') return 0;
  const d = parseGoDuration(flag.value);
  if (isFailure(d) || d === 0) return d;
  // Negative durations are below the minimum too.
  if (d < MILLISECOND) return failure('healthcheck-interval', `Interval ${goQuote(flag.name)} cannot be less than 1ms`);
  return d;
}
