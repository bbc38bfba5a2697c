import { createHash } from 'node:crypto';
import { KilnError, llb } from '../../../compiler/index.js';
import type { AddCommand, CopyCommand } from '../instructions/commands.js';
import type { DispatchState } from './dispatch-state.js';
import { displayName, envOf, ShellLex, uppercaseCmd } from './expand.js';
import { commitToHistory } from './image.js';
import { parseGitRef } from './git-ref.js';
import type { GitRef } from './git-ref.js';
import { chownOf } from './owner.js';

/** What COPY and ADD need from the conversion besides their stage. */
export interface CopyContext {
  readonly lex: ShellLex;
  readonly location: (c: { range: CopyCommand['range'] }) => llb.ConstraintsOptions;
  /** Whether `--link` may use merge ops (the solver's caps). */
  readonly mergeOp: boolean;
}

/**
 * A progress-group id for a `--link` step. BuildKit draws a random one; kiln
 * derives it from the step so the same Dockerfile gives the same bytes.
 */
function groupId(d: DispatchState, name: string): string {
  const hex = createHash('sha256').update(`${d.stageName}\0${d.cmdIndex}\0${name}`).digest();
  return Array.from(hex.subarray(0, 25), (b) => 'abcdefghijklmnopqrstuvwxyz0123456789'[b % 36]).join('');
}

function isHttpSource(src: string): boolean {
  return /^https?:\/\//.test(src);
}

/** `--chmod` as an octal number or a symbolic mode string. */
function parseChmod(chmod: string): number | string {
  if (/^[0-7]+$/.test(chmod)) {
    const mode = parseInt(chmod, 8);
    if (mode > 0o7777) throw new KilnError('dockerfile/invalid-chmod', `invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
    return mode;
  }
  if (/^\d+$/.test(chmod) || !/^([ugoa]*[-+=]([rwxXst]*|[ugo]))(,[ugoa]*[-+=]([rwxXst]*|[ugo]))*$/.test(chmod)) {
    throw new KilnError('dockerfile/invalid-chmod', `invalid chmod parameter: '${chmod}'. it should be octal string and between 0 and 07777`);
  }
  return chmod;
}

/** An ADD's git source; options in the URL must agree with the flags (BuildKit's dispatchCopy). */
function gitSource(git: GitRef, keepGitDirFlag: boolean | undefined, checksumFlag: string, customName: string): llb.State {
  if (keepGitDirFlag !== undefined && git.keepGitDir !== undefined && keepGitDirFlag !== git.keepGitDir) {
    throw new KilnError('dockerfile/git-ref', 'inconsistent keep-git-dir configuration');
  }
  if (checksumFlag && git.checksum && checksumFlag !== git.checksum) {
    throw new KilnError('dockerfile/git-ref', `checksum mismatch "${checksumFlag}" != "${git.checksum}"`);
  }
  const keepGitDir = git.keepGitDir ?? keepGitDirFlag;
  const checksum = git.checksum || checksumFlag;
  return llb.git(git.remote, git.ref ?? '', {
    customName,
    ...(keepGitDir ? { keepGitDir: true } : {}),
    ...(checksum ? { checksum } : {}),
    ...(git.subdir ? { subdir: git.subdir } : {}),
    ...(git.submodules === false ? { skipSubmodules: true } : {}),
  });
}

/**
 * The destination of a COPY against the working directory, as BuildKit's
 * `pathRelativeToWorkingDir` (`system.NormalizePath` with keepSlash): a relative
 * path is joined and cleaned, an absolute one is kept as written (the LLB copy
 * cleans it later), and a trailing `/` or `/.` survives so the copy lands inside
 * a directory.
 */
export function destPath(dir: string, dest: string): string {
  if (dest === '.' || dest === '') dest = './';
  let out = dest.startsWith('/') ? dest : llb.cleanPath(`/${dir || '/'}/${dest}`);
  if (dest.endsWith('/') && !out.endsWith('/')) out += '/';
  else if (dest.endsWith('/.')) out = `${out === '/' ? '' : out}/.`;
  return out;
}

/**
 * COPY and ADD: one FileOp (or a merge for --link); see BuildKit's dispatchCopy.
 * Returns the source paths after expansion (the paths the copy reads).
 */
export function dispatchCopy(d: DispatchState, c: CopyCommand | AddCommand, source: llb.State, ctx: CopyContext): readonly string[] {
  const isAdd = c.kind === 'add';
  const expand = (w: string) => ctx.lex.processWord(w, envOf(d.state));
  const chown = c.chown ? expand(c.chown) : '';
  const chmodText = c.chmod ? expand(c.chmod) : '';
  const checksum = isAdd && c.checksum ? expand(c.checksum) : '';
  const sourcePaths = c.sourcePaths.map(expand);
  const destText = expand(c.destPath);
  const dest = destPath(d.state.getDir(), destText);
  const mode = chmodText ? parseChmod(chmodText) : undefined;
  const owner = chown ? chownOf(chown) : undefined;
  const common: llb.CopyOptions = { ...(mode !== undefined ? { mode } : {}), ...(owner ? { owner } : {}), ...(c.excludes.length ? { excludePatterns: [...c.excludes] } : {}) };
  if (checksum) {
    if (sourcePaths.length !== 1) throw new KilnError('dockerfile/checksum', "checksum can't be specified for multiple sources");
    if (!isHttpSource(sourcePaths[0]!) && !parseGitRef(sourcePaths[0]!)) throw new KilnError('dockerfile/checksum', 'checksum requires HTTP(S) or Git sources');
  }
  let message = isAdd ? 'ADD' : 'COPY';
  if (c.parents) message += ' --parents';
  if (chown) message += ` --chown=${chown}`;
  if (chmodText) message += ` --chmod=${chmodText}`;
  const env = envOf(d.state);
  const name = uppercaseCmd(displayName(ctx.lex, c.node.original.trim(), env));
  const pgName = d.prefix(name);
  let action: llb.FileAction | undefined;
  const add = (from: llb.CopySource, src: string, opts: llb.CopyOptions) => {
    action = action ? action.copy(from, src, dest, opts) : llb.copy(from, src, dest, opts);
  };
  for (const src of sourcePaths) {
    message += ` ${src}`;
    const git = parseGitRef(src);
    if (git && !git.local) {
      if (!isAdd) throw new KilnError('dockerfile/copy-git', "source can't be a git ref for COPY");
      add(gitSource(git, c.keepGitDir, checksum, pgName), '/', { ...common, createDestPath: true });
    } else if (isHttpSource(src)) {
      if (!isAdd) throw new KilnError('dockerfile/copy-url', "source can't be a URL for COPY");
      let filename = '__unnamed__';
      try {
        // Go's url.Parse gives the decoded path (`a%20b` is the file `a b`).
        const base = decodeURIComponent(new URL(src).pathname).split('/').filter(Boolean).pop();
        if (base) filename = base;
      } catch {
        // not a parseable URL: keep BuildKit's placeholder name
      }
      const st = llb.http(src, { filename, customName: pgName, ...(checksum ? { checksum } : {}), description: { 'com.docker.dockerfile.v1.command': '' } });
      add(st, filename, { ...common, createDestPath: true, ...(isAdd && c.unpack ? { attemptUnpack: true } : {}) });
    } else {
      let path = src;
      let include: string[] | undefined;
      if (c.parents) {
        const cut = src.indexOf('/./');
        const pattern = cut >= 0 ? src.slice(cut + 3) : src;
        path = cut >= 0 ? src.slice(0, cut) : '/';
        include = [llb.cleanPath(`/${pattern}`).replace(/^\//, '')];
      }
      const unpack = isAdd ? (c.unpack ?? true) : false;
      add(source, llb.cleanPath(`/${path}`), {
        ...common, followSymlinks: true, copyDirContentsOnly: true, ...(include ? { includePatterns: include } : {}),
        ...(unpack ? { attemptUnpack: true } : {}), createDestPath: true, allowWildcard: true, allowEmptyWildcard: true,
      });
    }
  }
  // Unquoted heredoc sources are expanded as BuildKit's ExpandRaw does: `\\` escapes
  // whatever the escape directive says, and quotes are ordinary characters.
  const rawLex = new ShellLex('\\', { skipProcessQuotes: true });
  for (const content of c.sourceContents) {
    message += ` <<${content.path}`;
    const data = content.expand ? rawLex.processWord(content.data, envOf(d.state)) : content.data;
    const st = llb.scratch().file(llb.mkfile(content.path, 0o644, data), { customName: '[internal] preparing inline document', ...(d.platform ? { platform: d.platform } : {}) });
    add(st, llb.cleanPath(`/${content.path}`), { ...common, createDestPath: true });
  }
  message += ` ${destText}`;
  if (!action) throw new KilnError('dockerfile/copy-no-source', `${isAdd ? 'ADD' : 'COPY'} has no source`);
  const fileOpts: llb.ConstraintsOptions = { customName: pgName, ...ctx.location(c), ...(d.ignoreCache ? { ignoreCache: true } : {}) };
  if (ctx.mergeOp && c.link && !chmodText) {
    // --link: the copy is made on scratch and merged on top, so it does not depend on the layers below.
    const id = groupId(d, name);
    d.cmdIndex--;
    const groupName = d.prefix(name);
    d.cmdIndex--;
    const layer = llb.scratch().file(action, { ...fileOpts, ...(d.platform ? { platform: d.platform } : {}), progressGroup: { id, name: groupName, weak: true } });
    d.state = d.state.withOutput(llb.merge([d.state, layer], { ...fileOpts, progressGroup: { id, name: groupName }, customName: d.prefix(`LINK ${name}`) }).output());
  } else {
    d.state = d.state.file(action, fileOpts);
  }
  commitToHistory(d.image, message, true, true);
  return sourcePaths;
}
