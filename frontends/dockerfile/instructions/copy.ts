import type { Diagnostic } from '../../../grammars/diagnostic.js';
import { chompHeredocContent, parseHeredoc, type Heredoc, type HeredocMarker } from '../../../grammars/dockerfile/index.js';
import type { AddCommand, CopyCommand, SourcesAndDest } from './commands.js';
import { base, errBadHeredoc, errNoDestinationArgument, parseFlags, type ParseRequest } from './request.js';

/**
 * COPY and ADD: sources and a destination, with BuildKit's flags. A source
 * written as a heredoc (`COPY <<EOF /dest`) becomes inline content, chomped
 * here for `<<-`; the destination may not be a heredoc.
 *
 * BuildKit gates `--exclude` and `COPY --parents` behind its labs channel
 * (`dfexcludepatterns`, `dfparents` build tags); kiln always accepts them.
 */

/** BuildKit's `MustParseHeredoc`: the marker a word is, if any (lexing errors read as "not a heredoc"). */
function heredocMarker(word: string): HeredocMarker | undefined {
  const marker = parseHeredoc(word);
  return marker && !('error' in marker) ? marker : undefined;
}

/** Splits the arguments into sources (paths and heredoc contents) and the destination. */
function sourcesAndDest(req: ParseRequest, command: string): SourcesAndDest | Diagnostic {
  const dest = req.args[req.args.length - 1] ?? '';
  if (heredocMarker(dest)) return errBadHeredoc(req, command, 'a destination');

  const heredocs = new Map<string, Heredoc>();
  for (const h of req.node.heredocs) heredocs.set(h.name, h);

  const sourcePaths: string[] = [];
  const sourceContents: { path: string; data: string; expand: boolean }[] = [];
  for (const src of req.args.slice(0, -1)) {
    const word = heredocMarker(src);
    if (!word) {
      sourcePaths.push(src);
      continue;
    }
    // A heredoc word without a body (impossible from the parser) reads as empty, as in BuildKit.
    const content = heredocs.get(word.name)?.content ?? '';
    sourceContents.push({ path: word.name, data: word.chomp ? chompHeredocContent(content) : content, expand: word.expand });
  }
  return { sourcePaths, sourceContents, destPath: dest };
}

const optional = (value: string): string | undefined => (value === '' ? undefined : value);

/** `COPY [--from=…] [--chown=…] [--chmod=…] [--link] [--parents] [--exclude=…]… src… dest`. */
export function parseCopy(req: ParseRequest): CopyCommand | Diagnostic {
  if (req.args.length < 2) return errNoDestinationArgument(req, 'COPY');
  const excludes = req.flags.addStrings('exclude');
  const parents = req.flags.addBool('parents');
  const chown = req.flags.addString('chown');
  const from = req.flags.addString('from');
  const chmod = req.flags.addString('chmod');
  const link = req.flags.addBool('link');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  const sd = sourcesAndDest(req, 'COPY');
  if ('severity' in sd) return sd;
  return {
    kind: 'copy',
    ...base(req),
    ...sd,
    from: optional(from.value),
    chown: optional(chown.value),
    chmod: optional(chmod.value),
    link: link.isTrue(),
    parents: parents.isTrue(),
    excludes: excludes.values,
  };
}

/**
 * `ADD [--chown=…] [--chmod=…] [--link] [--keep-git-dir[=bool]] [--checksum=…]
 * [--unpack[=bool]] [--exclude=…]… src… dest`. `keepGitDir` and `unpack` stay
 * undefined unless written, so conversion can tell "false" from "default".
 */
export function parseAdd(req: ParseRequest): AddCommand | Diagnostic {
  if (req.args.length < 2) return errNoDestinationArgument(req, 'ADD');
  const excludes = req.flags.addStrings('exclude');
  const chown = req.flags.addString('chown');
  const chmod = req.flags.addString('chmod');
  const link = req.flags.addBool('link');
  const keepGitDir = req.flags.addBool('keep-git-dir');
  const checksum = req.flags.addString('checksum');
  const unpack = req.flags.addBool('unpack');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  const sd = sourcesAndDest(req, 'ADD');
  if ('severity' in sd) return sd;
  return {
    kind: 'add',
    ...base(req),
    ...sd,
    chown: optional(chown.value),
    chmod: optional(chmod.value),
    link: link.isTrue(),
    parents: false,
    excludes: excludes.values,
    checksum: optional(checksum.value),
    keepGitDir: keepGitDir.used ? keepGitDir.isTrue() : undefined,
    unpack: unpack.used ? unpack.isTrue() : undefined,
  };
}
