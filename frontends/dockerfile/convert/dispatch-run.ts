import { KilnError, llb } from '../../../compiler/index.js';
import type { RunCommand, RunMount } from '../instructions/commands.js';
import { isFailure, parseMount } from '../instructions/index.js';
import type { DispatchState } from './dispatch-state.js';
import type { ShellEnv, ShellLex } from './expand.js';
import { displayName, envOf, uppercaseCmd } from './expand.js';
import { runCommandString, withShell } from './dispatch-config.js';
import { commitToHistory } from './image.js';

/** What RUN needs from the conversion besides its stage. */
export interface RunContext {
  readonly lex: ShellLex;
  /** The same lexer keeping quotes and unset variables, for display names. */
  readonly displayLex: ShellLex;
  readonly buildContext: llb.State;
  readonly cacheIdNamespace: string;
  readonly networkMode?: 'default' | 'none' | 'host';
  readonly location: (c: { range: RunCommand['range'] }) => llb.ConstraintsOptions;
}

/** `<<EOF` bodies with `<<-` chomping: leading tabs removed from every line. */
export function chompHeredoc(data: string): string {
  return data.replace(/^\t+/gm, '');
}

function summarizeHeredoc(doc: string): string {
  const lines = doc.trim().replace(/\r\n/g, '\n').split('\n');
  return lines.length > 1 ? `${lines[0]}...` : lines[0]!;
}

/** RUN: an ExecOp on the stage's state; see BuildKit's dispatchRun. */
export function dispatchRun(d: DispatchState, c: RunCommand, sources: readonly (DispatchState | undefined)[], ctx: RunContext): void {
  d.paths.add('/');
  let args = [...c.cmdLine];
  let customName = c.node.original.trim();
  const mounts: llb.MountSpec[] = [];
  if (c.files.length > 0) {
    if (args.length !== 1 || !c.prependShell) throw new KilnError('dockerfile/invalid-run', `parsing produced an invalid run command: ${args.join(' ')}`);
    const first = c.files[0]!;
    if (/^<<-?["']?\w+["']?$/.test(args[0]!.trim())) {
      // A RUN that is only a heredoc: its body is the script.
      const data = first.chomp ? chompHeredoc(first.data) : first.data;
      if (d.image.os !== 'windows' && first.data.startsWith('#!')) {
        const script = llb.scratch().dir('/').file(llb.mkfile(first.name, 0o755, data), { customName: '[internal] preparing inline document', ...(d.platform ? { platform: d.platform } : {}) });
        mounts.push({ dest: '/dev/pipes/', source: script, selector: '/', readonly: true });
        args = [`/dev/pipes/${first.name}`];
      } else args = [data];
      customName += ` (${summarizeHeredoc(first.data)})`;
    } else {
      let full = args[0]!;
      for (const f of c.files) full += `\n${f.data}${f.name}`;
      args = [full];
    }
  }
  if (c.prependShell) args = withShell(d, args);
  const expand = (w: string) => ctx.lex.processWord(w, envOf(d.state));
  const expanded = c.mounts.map((m) => expandMount(m, expand));
  for (const [i, m] of expanded.entries()) mounts.push(...runMount(d, m, sources[i], ctx));
  const network = c.network ?? ctx.networkMode;
  const env = envOf(d.state);
  const name = d.prefix(uppercaseCmd(displayName(ctx.displayLex, customName, secretEnvMask(expanded, env))));
  // The step's root on the stage's own state: kiln's ExecState carries the run's
  // network and security mode on, BuildKit's (`s.WithOutput(exec.Output())`) does not.
  d.state = d.state.withOutput(d.state
    .run({
      args,
      mounts,
      ...(network && network !== 'default' ? { network: network === 'none' ? 'none' : 'host' } : {}),
      ...(c.security === 'insecure' ? { security: 'insecure' } : {}),
      customName: name,
      description: { 'com.docker.dockerfile.v1.command': c.node.original.trim() },
      ...(d.ignoreCache ? { ignoreCache: true } : {}),
      ...ctx.location(c),
    })
    .root().output());
  commitToHistory(d.image, `RUN ${runCommandString(args, d.buildArgs, env)}`, true, true);
}

/**
 * The variables for a RUN's progress name, with each secret exposed as an env
 * variable shown as `****` (BuildKit's withSecretEnvMask): the name should say the
 * value comes from a secret, not show the stage's variable of the same name.
 */
function secretEnvMask(mounts: readonly RunMount[], env: ShellEnv): ShellEnv {
  const masked = new Set(mounts.filter((m) => m.type === 'secret' && m.env !== undefined).map((m) => m.env!));
  if (masked.size === 0) return env;
  return { get: (name: string) => (masked.has(name) ? '****' : env.get(name)) };
}

/** A mount's options with the stage's variables expanded, checked again as BuildKit does at dispatch. */
function expandMount(m: RunMount, expand: (w: string) => string): RunMount {
  if (!m.spec) return m;
  const parsed = parseMount(m.spec, expand);
  if (isFailure(parsed)) throw Object.assign(new KilnError(`dockerfile/${parsed.slug}`, parsed.message), parsed.hint ? { hint: parsed.hint } : {});
  return parsed;
}

/** One `--mount` of RUN as LLB mounts; records which context or stage paths it reads. */
function runMount(d: DispatchState, m: RunMount, source: DispatchState | undefined, ctx: RunContext): llb.MountSpec[] {
  if (m.type === 'secret') {
    const id = m.source || m.cacheId || (m.target ? m.target.split('/').pop()! : '');
    if (!id) throw new KilnError('dockerfile/invalid-mount', 'one of source, target required');
    const dest = m.env === undefined ? m.target || `/run/secrets/${id.split('/').pop()!}` : m.target || undefined;
    return [{ type: 'secret', id, ...(dest ? { dest } : {}), ...(m.env !== undefined ? { env: m.env } : {}), optional: !m.required, mode: m.mode ?? 0o400, uid: m.uid ?? 0, gid: m.gid ?? 0 }];
  }
  if (m.type === 'ssh') {
    // The id goes to LLB as written, empty for the agent BuildKit calls `default`.
    return [{ type: 'ssh', id: m.cacheId ?? '', ...(m.target ? { dest: m.target } : {}), optional: !m.required, mode: m.mode ?? 0o600, uid: m.uid ?? 0, gid: m.gid ?? 0 }];
  }
  const from = m.from ?? (m.type === 'cache' ? 'scratch' : undefined);
  let st = ctx.buildContext;
  if (from !== undefined) {
    if (!source?.dispatched) throw new KilnError('dockerfile/mount-order', `cannot mount from stage "${from}" to "${m.target ?? ''}", stage needs to be defined before current command`);
    st = source.state;
  }
  if (m.type === 'tmpfs') st = llb.scratch();
  // An absolute target is used as written (`/m/` stays so in the op), a relative one
  // is joined to the working directory and cleaned, as BuildKit's dispatchRunMounts.
  let target = m.target ?? '';
  if (!target.startsWith('/')) target = llb.cleanPath(`/${d.state.getDir()}/${target}`);
  if (target === '/') throw new KilnError('dockerfile/invalid-mount', `invalid mount target "${target}"`);
  let selector: string | undefined;
  const src = llb.cleanPath(`/${m.source ?? ''}`);
  if (src !== '/') selector = src;
  else if (m.type === 'cache' && (m.uid !== undefined || m.gid !== undefined || m.mode !== undefined)) {
    st = st.file(llb.mkdir('/cache', m.mode ?? 0o755, { owner: { user: m.uid ?? 0, group: m.gid ?? 0 } }), { customName: '[internal] setting cache mount permissions' });
    selector = '/cache';
  }
  // A mount of the context (no `from`) reads that path of it; tmpfs counts as the whole context, as in BuildKit.
  if (from === undefined) d.ctxPaths.add(llb.cleanPath(`/${m.source ?? ''}`));
  else source?.paths.add(llb.cleanPath(`/${m.source ?? ''}`));
  const sel = selector ? { selector } : {};
  switch (m.type) {
    case 'tmpfs':
      return [{ type: 'tmpfs', dest: target, ...(m.sizeLimit ? { size: m.sizeLimit } : {}), ...(m.readOnly ? { readonly: true } : {}), ...sel }];
    case 'cache': {
      const id = `${ctx.cacheIdNamespace}/${m.cacheId || llb.cleanPath(m.target ?? '')}`;
      return [{ type: 'cache', dest: target, id, sharing: m.cacheSharing ?? 'shared', ...(st.output() ? { source: st } : {}), ...(m.readOnly ? { readonly: true } : {}), ...sel }];
    }
    default:
      // A writable bind mount keeps its changes inside the step (no output), as BuildKit does.
      return [{ dest: target, source: st, readonly: m.readOnly, ...(m.readOnly ? {} : { noOutput: true }), ...sel }];
  }
}
