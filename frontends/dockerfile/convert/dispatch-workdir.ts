import { llb } from '../../../compiler/index.js';
import type { DispatchState } from './dispatch-state.js';
import type { ShellLex } from './expand.js';
import { displayName, envOf, uppercaseCmd } from './expand.js';
import { commitToHistory } from './image.js';

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
  const wd = path.startsWith('/') ? llb.cleanPath(path) : llb.cleanPath(`${d.image.config.WorkingDir || '/'}/${path}`);
  d.image.config.WorkingDir = wd;
  d.state = d.state.dir(wd);
  if (!commit) return;
  let withLayer = false;
  if (wd !== '/') {
    const user = d.image.config.User;
    const env = envOf(d.state);
    const original = opts.original ?? `WORKDIR ${path}`;
    const name = d.prefix(uppercaseCmd(opts.lex ? displayName(opts.lex, original, env) : original));
    d.state = d.state.file(llb.mkdir(wd, 0o755, { makeParents: true, ...(user ? { owner: ownerOf(user) } : {}) }), {
      customName: name,
      ...opts.location,
      ...(d.platform ? { platform: d.platform } : {}),
    });
    withLayer = true;
  }
  commitToHistory(d.image, `WORKDIR ${wd}`, withLayer, false);
}

function ownerOf(user: string): llb.ChownOptions {
  const colon = user.indexOf(':');
  const id = (v: string) => (/^\d+$/.test(v) ? Number(v) : v);
  return colon < 0 ? { user: id(user) } : { user: id(user.slice(0, colon)), group: id(user.slice(colon + 1)) };
}
