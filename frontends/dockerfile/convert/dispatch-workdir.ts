import { llb } from '../../../compiler/index.js';
import type { DispatchState } from './dispatch-state.js';
import type { ShellLex } from './expand.js';
import { displayName, envOf, uppercaseCmd } from './expand.js';
import { commitToHistory } from './image.js';
import { chownOf } from './owner.js';

/**
 * WORKDIR: sets the directory for later steps and (when `commit`) creates it
 * with a mkdir FileOp owned by the current USER, as BuildKit does. Inherited
 * working directories (from the base image) are set without a step.
 */
export function dispatchWorkdir(
  d: DispatchState,
  path: string,
  commit: boolean,
  opts: { lex?: ShellLex; original?: string; location?: llb.ConstraintsOptions } = {},
): void {
  if (commit) d.workdirSet = true;
  // As BuildKit's system.NormalizeWorkdir: a relative path is joined and cleaned, an
  // absolute one is kept as written (`/a//b` stays so in the config and the exec cwd),
  // and an empty one (a variable that expanded to nothing) keeps the current directory.
  const current = d.image.config.WorkingDir || '/';
  const wd = path === '' ? current : path.startsWith('/') ? path : llb.cleanPath(`${current}/${path}`);
  d.image.config.WorkingDir = wd;
  d.state = withDir(d.state, wd);
  if (!commit) return;
  let withLayer = false;
  if (wd !== '/') {
    const user = d.image.config.User;
    const env = envOf(d.state);
    const original = opts.original ?? `WORKDIR ${path}`;
    const name = d.prefix(uppercaseCmd(opts.lex ? displayName(opts.lex, original, env) : original));
    d.state = d.state.file(llb.mkdir(wd, 0o755, { makeParents: true, ...(user ? { owner: chownOf(user) } : {}) }), {
      customName: name,
      ...opts.location,
      ...(d.platform ? { platform: d.platform } : {}),
    });
    withLayer = true;
  }
  commitToHistory(d.image, `WORKDIR ${wd}`, withLayer, false);
}

/**
 * The state with its working directory set to `dir` exactly. BuildKit's `llb.Dir`
 * stores an absolute path uncleaned; kiln's `State.dir` cleans it, so the value is
 * set on the state's meta directly (only absolute paths come here).
 */
function withDir(state: llb.State, dir: string): llb.State {
  return new llb.State(state.output(), { ...state.meta(), dir });
}
