import { KilnError } from '../../../compiler/index.js';
import type {
  ArgCommand, CmdCommand, EntrypointCommand, EnvCommand, ExposeCommand, HealthcheckCommand, LabelCommand,
  MaintainerCommand, OnbuildCommand, ShellCommand, StopSignalCommand, VolumeCommand,
} from '../instructions/commands.js';
import type { DispatchState } from './dispatch-state.js';
import type { ShellLex } from './expand.js';
import { envOf } from './expand.js';
import { goQuote } from '../../../compiler/index.js';
import { goDuration, goList, goQuoteList, goQuoteRune } from './go-format.js';
import { addEnv, commitToHistory } from './image.js';

// Instructions that change only the image config (and the state's env/user):
// one small dispatcher each, as BuildKit's dispatchX functions.

/** The shell form's argv: the stage's SHELL (or /bin/sh -c) plus the command. */
export function withShell(d: DispatchState, args: readonly string[]): string[] {
  const shell = d.image.config.Shell?.length ? [...d.image.config.Shell] : d.image.os === 'windows' ? ['cmd', '/S', '/C'] : ['/bin/sh', '-c'];
  return [...shell, args.join(' ')];
}

export function dispatchEnv(d: DispatchState, c: EnvCommand, expand: (w: string) => string): void {
  let message = 'ENV';
  for (const kv of c.env) {
    const key = expand(kv.key);
    const value = expand(kv.value);
    message += ` ${key}=${value}`;
    d.state = d.state.env(key, value);
    d.image.config.Env = addEnv(d.image.config.Env, key, value);
  }
  commitToHistory(d.image, message, false, false);
}

export function dispatchLabel(d: DispatchState, c: LabelCommand, expand: (w: string) => string): void {
  let message = 'LABEL';
  d.image.config.Labels ??= {};
  for (const kv of c.labels) {
    const key = c.noExp ? kv.key : expand(kv.key);
    const value = c.noExp ? kv.value : expand(kv.value);
    d.image.config.Labels[key] = value;
    message += ` ${key}=${value}`;
  }
  commitToHistory(d.image, message, false, false);
}

export function dispatchMaintainer(d: DispatchState, c: MaintainerCommand): void {
  d.image.author = c.maintainer;
  commitToHistory(d.image, `MAINTAINER ${c.maintainer}`, false, false);
}

export function dispatchOnbuild(d: DispatchState, c: OnbuildCommand): void {
  (d.image.config.OnBuild ??= []).push(c.expression);
}

export function dispatchCmd(d: DispatchState, c: CmdCommand): void {
  const args = c.prependShell ? withShell(d, c.cmdLine) : [...c.cmdLine];
  d.image.config.Cmd = args;
  d.image.config.ArgsEscaped = true;
  d.cmdSet = true;
  commitToHistory(d.image, `CMD ${goQuoteList(args)}`, false, false);
}

export function dispatchEntrypoint(d: DispatchState, c: EntrypointCommand): void {
  const args = c.prependShell ? withShell(d, c.cmdLine) : [...c.cmdLine];
  d.image.config.Entrypoint = args;
  // An ENTRYPOINT resets a CMD inherited from the base image, not one set in this stage.
  if (!d.cmdSet) d.image.config.Cmd = null;
  commitToHistory(d.image, `ENTRYPOINT ${goQuoteList(args)}`, false, false);
}

export function dispatchHealthcheck(d: DispatchState, c: HealthcheckCommand): void {
  const h = {
    Test: [...c.test],
    ...(c.interval ? { Interval: c.interval } : {}),
    ...(c.timeout ? { Timeout: c.timeout } : {}),
    ...(c.startPeriod ? { StartPeriod: c.startPeriod } : {}),
    ...(c.startInterval ? { StartInterval: c.startInterval } : {}),
    ...(c.retries ? { Retries: c.retries } : {}),
  };
  d.image.config.Healthcheck = h;
  // BuildKit prints the struct with %q: `&{["CMD-SHELL" "…"] "30s" "3s" "0s" "0s" '\x03'}`.
  const durations = [c.interval, c.timeout, c.startPeriod, c.startInterval].map((n) => goQuote(goDuration(n))).join(' ');
  commitToHistory(d.image, `HEALTHCHECK &{${goQuoteList(c.test)} ${durations} ${goQuoteRune(c.retries)}}`, false, false);
}

export function dispatchUser(d: DispatchState, user: string, commit: boolean): void {
  d.state = d.state.user(user);
  d.image.config.User = user;
  if (commit) commitToHistory(d.image, `USER ${user}`, false, false);
}

export function dispatchVolume(d: DispatchState, c: VolumeCommand, expand: (w: string) => string): void {
  const volumes = c.volumes.map(expand);
  d.image.config.Volumes ??= {};
  for (const v of volumes) {
    if (v === '') throw new KilnError('dockerfile/empty-volume', 'VOLUME specified can not be an empty string');
    d.image.config.Volumes[v] = {};
  }
  commitToHistory(d.image, `VOLUME ${goList(volumes)}`, false, false);
}

const SIGNALS = new Set(['ABRT', 'ALRM', 'BUS', 'CHLD', 'CLD', 'CONT', 'FPE', 'HUP', 'ILL', 'INT', 'IO', 'IOT', 'KILL', 'PIPE', 'POLL', 'PROF', 'PWR', 'QUIT', 'SEGV', 'STKFLT', 'STOP', 'SYS', 'TERM', 'TRAP', 'TSTP', 'TTIN', 'TTOU', 'URG', 'USR1', 'USR2', 'VTALRM', 'WINCH', 'XCPU', 'XFSZ']);

/**
 * STOPSIGNAL, validated as moby/sys/signal.ParseSignal does on Linux: any non-zero
 * integer (Go's Atoi, so `+5`, `-1` and `99` pass), or a name of its signal map,
 * with or without `SIG`, in any case.
 */
export function dispatchStopSignal(d: DispatchState, c: StopSignalCommand, expand: (w: string) => string): void {
  const signal = expand(c.signal);
  const upper = signal.toUpperCase();
  const name = upper.startsWith('SIG') ? upper.slice(3) : upper;
  const numeric = /^[+-]?\d+$/.test(signal) && Math.abs(Number(signal)) <= Number.MAX_SAFE_INTEGER;
  const rt = /^RTMIN(\+([1-9]|1[0-5]))?$|^RTMAX(-([1-9]|1[0-4]))?$/.test(name);
  if (numeric ? Number(signal) === 0 : !SIGNALS.has(name) && !rt) {
    throw new KilnError('dockerfile/invalid-signal', `invalid signal: ${signal}`);
  }
  d.image.config.StopSignal = signal;
  commitToHistory(d.image, `STOPSIGNAL ${signal}`, false, false);
}

export function dispatchShell(d: DispatchState, c: ShellCommand): void {
  d.image.config.Shell = [...c.shell];
  commitToHistory(d.image, `SHELL ${goList(c.shell)}`, false, false);
}

/** Expands EXPOSE words and port ranges into `port/proto` keys. */
export function dispatchExpose(d: DispatchState, c: ExposeCommand, lex: ShellLex): void {
  const env = envOf(d.state);
  const words = c.ports.flatMap((p) => lex.processWords(p, env));
  d.image.config.ExposedPorts ??= {};
  for (const w of words) {
    for (const port of expandPortSpec(w)) d.image.config.ExposedPorts[port] = {};
  }
  commitToHistory(d.image, `EXPOSE ${words.join(' ')}`, false, false);
}

/** `[ip:[hostPort]:]port[-end][/proto]` → container `port/proto` entries. */
export function expandPortSpec(spec: string): string[] {
  const slash = spec.lastIndexOf('/');
  const proto = (slash >= 0 ? spec.slice(slash + 1) : 'tcp').toLowerCase() || 'tcp';
  const hostAndPort = slash >= 0 ? spec.slice(0, slash) : spec;
  const port = hostAndPort.slice(hostAndPort.lastIndexOf(':') + 1);
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  if (!m || !['tcp', 'udp', 'sctp'].includes(proto)) throw new KilnError('dockerfile/invalid-port', `invalid containerPort: ${spec}`);
  const start = Number(m[1]);
  const end = m[2] !== undefined ? Number(m[2]) : start;
  if (start > 65535 || end > 65535 || end < start) throw new KilnError('dockerfile/invalid-port', `invalid port range: ${spec}`);
  const out: string[] = [];
  for (let p = start; p <= end; p++) out.push(`${p}/${proto}`);
  return out;
}

/** ARG inside a stage: a value from --build-arg, the default, or the global ARG of the same name. */
export function dispatchArg(d: DispatchState, c: ArgCommand, buildArgs: { readonly [k: string]: string }, globalArgs: { get(k: string): string | undefined }, lex: ShellLex): void {
  const parts: string[] = [];
  for (const arg of c.args) {
    let value = arg.value;
    const hasValue = Object.hasOwn(buildArgs, arg.key);
    if (value === undefined && !hasValue) value = globalArgs.get(arg.key);
    if (hasValue) value = buildArgs[arg.key];
    else if (arg.value !== undefined) value = lex.processWord(arg.value, envOf(d.state));
    if (value !== undefined) d.state = d.state.env(arg.key, value);
    d.buildArgs.push({ key: arg.key, ...(value !== undefined ? { value } : {}) });
    parts.push(value !== undefined ? `${arg.key}=${value}` : arg.key);
  }
  commitToHistory(d.image, `ARG ${parts.join(' ')}`, false, false);
}

/** The `|N K=V …` prefix BuildKit writes before a RUN's command in the image history. */
export function runCommandString(args: readonly string[], buildArgs: readonly { key: string; value?: string }[], env: { get(k: string): string | undefined }): string {
  const order: string[] = [];
  const values = new Map<string, string>();
  for (const a of buildArgs) {
    if (!values.has(a.key)) order.push(a.key);
    values.set(a.key, env.get(a.key) ?? a.value ?? '');
  }
  const prefix = order.length ? [`|${order.length}`, ...order.map((k) => `${k}=${values.get(k)!}`)] : [];
  return [...prefix, ...args].join(' ');
}
