import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { CmdCommand, EntrypointCommand, HeredocFile, RunCommand, RunMount, ShellCommand } from './commands.js';
import { errorAt, isFailure, toDiagnostic } from './failure.js';
import { goQuote } from './go-strconv.js';
import { base, errAtLeastOneArgument, fail, flagRange, handleJsonArgs, parseFlags, type ParseRequest } from './request.js';
import { parseDevice, type RunDevice } from './run-device.js';
import { parseMount } from './run-mount.js';

/**
 * RUN, CMD, ENTRYPOINT and SHELL: the instructions whose arguments are a
 * command line (BuildKit's `ShellDependantCmdLine`). Shell form keeps the line
 * as one string to be run by the stage's SHELL; exec form keeps the argv.
 */

const NETWORK_MODES = ['default', 'none', 'host'] as const;
const SECURITY_MODES = ['sandbox', 'insecure'] as const;

function includes<T extends string>(list: readonly T[], value: string): value is T {
  return (list as readonly string[]).includes(value);
}

function commandLine(req: ParseRequest): { cmdLine: string[]; prependShell: boolean; files: HeredocFile[] } {
  const files = req.node.heredocs.map((h) => ({ name: h.name, data: h.content, expand: h.expand, chomp: h.chomp }));
  return { cmdLine: handleJsonArgs(req.args, req.json), prependShell: !req.json, files };
}

/**
 * `RUN [--mount=…] [--network=…] [--security=…] [--device=…] command`.
 * Mounts are validated here with literal values (see `parseMount` for values
 * holding variables); heredoc bodies become `files`, unchomped with their flag.
 * `network` is set only for `none`/`host`, `security` only when written;
 * `flagsUsed` lists flag names (`mount`), as BuildKit's `FlagsUsed`.
 */
export function parseRun(req: ParseRequest): RunCommand | Diagnostic {
  // Declared in BuildKit's hook order (device, mount, network, security).
  const deviceFlag = req.flags.addStrings('device');
  const mountFlag = req.flags.addStrings('mount');
  const networkFlag = req.flags.addString('network', 'default');
  const securityFlag = req.flags.addString('security', 'sandbox');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  const devices: RunDevice[] = [];
  for (const [i, spec] of deviceFlag.values.entries()) {
    const device = parseDevice(spec);
    if (isFailure(device)) return toDiagnostic(device, flagRange(req, deviceFlag.positions[i]));
    devices.push(device);
  }
  const mounts: RunMount[] = [];
  for (const [i, spec] of mountFlag.values.entries()) {
    const mount = parseMount(spec);
    if (isFailure(mount)) return toDiagnostic(mount, flagRange(req, mountFlag.positions[i]));
    mounts.push(mount);
  }
  const network = networkFlag.value;
  if (!includes(NETWORK_MODES, network)) {
    return errorAt(flagRange(req, networkFlag.positions[0]), 'invalid-network', `invalid network mode ${goQuote(network)}`);
  }
  const security = securityFlag.value;
  if (!includes(SECURITY_MODES, security)) {
    return errorAt(flagRange(req, securityFlag.positions[0]), 'invalid-security', `security ${goQuote(security)} is not valid`);
  }

  return {
    kind: 'run',
    ...base(req),
    ...commandLine(req),
    mounts,
    // `default` means "not set" in BuildKit (the build's own network mode applies): left undefined.
    ...(network === 'default' ? {} : { network }),
    ...(securityFlag.used ? { security } : {}),
    devices,
    flagsUsed: req.flags.used(),
  };
}

/** `CMD command` / `CMD ["exe", …]`. */
export function parseCmd(req: ParseRequest): CmdCommand | Diagnostic {
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  return { kind: 'cmd', ...base(req), ...commandLine(req) };
}

/**
 * `ENTRYPOINT command` / `ENTRYPOINT ["exe", …]`. BuildKit turns an empty exec
 * form (`ENTRYPOINT []`) into a nil command line, which clears the entrypoint;
 * here that is an empty `cmdLine` with `prependShell` false.
 */
export function parseEntrypoint(req: ParseRequest): EntrypointCommand | Diagnostic {
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  return { kind: 'entrypoint', ...base(req), ...commandLine(req) };
}

/** `SHELL ["exe", "arg", …]`: exec form only. */
export function parseShell(req: ParseRequest): ShellCommand | Diagnostic {
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  const shell = handleJsonArgs(req.args, req.json);
  if (shell.length === 0) return errAtLeastOneArgument(req, 'SHELL');
  if (!req.json) return fail(req, 'shell-not-json', 'SHELL requires the arguments to be in JSON form');
  return { kind: 'shell', ...base(req), shell };
}
