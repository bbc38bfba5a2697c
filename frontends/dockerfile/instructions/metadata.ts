import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { MaintainerCommand, StopSignalCommand, UserCommand, VolumeCommand, WorkdirCommand } from './commands.js';
import { base, errAtLeastOneArgument, errExactlyOneArgument, fail, parseFlags, type ParseRequest } from './request.js';

/**
 * The instructions that set one image-config value: MAINTAINER, WORKDIR, USER,
 * STOPSIGNAL, VOLUME. BuildKit checks the argument count before the flags for
 * the one-argument forms, and parses no flags at all for STOPSIGNAL.
 */

/** The single argument, or BuildKit's `X requires exactly one argument` / flag error. */
function single(req: ParseRequest, command: string, checkFlags = true): string | Diagnostic {
  const [arg] = req.args;
  if (req.args.length !== 1 || arg === undefined) return errExactlyOneArgument(req, command);
  return (checkFlags && parseFlags(req)) || arg;
}

/** `MAINTAINER name` (deprecated in favour of a label). */
export function parseMaintainer(req: ParseRequest): MaintainerCommand | Diagnostic {
  const maintainer = single(req, 'MAINTAINER');
  return typeof maintainer === 'string' ? { kind: 'maintainer', ...base(req), maintainer } : maintainer;
}

/** `WORKDIR path`. */
export function parseWorkdir(req: ParseRequest): WorkdirCommand | Diagnostic {
  const path = single(req, 'WORKDIR');
  return typeof path === 'string' ? { kind: 'workdir', ...base(req), path } : path;
}

/** `USER user[:group]`. */
export function parseUser(req: ParseRequest): UserCommand | Diagnostic {
  const user = single(req, 'USER');
  return typeof user === 'string' ? { kind: 'user', ...base(req), user } : user;
}

/** `STOPSIGNAL signal`; flags are ignored, as in BuildKit. */
export function parseStopSignal(req: ParseRequest): StopSignalCommand | Diagnostic {
  const signal = single(req, 'STOPSIGNAL', false);
  return typeof signal === 'string' ? { kind: 'stopsignal', ...base(req), signal } : signal;
}

/** `VOLUME /a /b` / `VOLUME ["/a", "/b"]`; each path is trimmed and may not be empty. */
export function parseVolume(req: ParseRequest): VolumeCommand | Diagnostic {
  if (req.args.length === 0) return errAtLeastOneArgument(req, 'VOLUME');
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  const volumes: string[] = [];
  for (const v of req.args) {
    const trimmed = v.trim();
    if (trimmed === '') return fail(req, 'empty-volume', 'VOLUME specified can not be an empty string');
    volumes.push(trimmed);
  }
  return { kind: 'volume', ...base(req), volumes };
}
