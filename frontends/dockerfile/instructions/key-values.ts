import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { ArgCommand, EnvCommand, KeyValue, KeyValueOptional, LabelCommand } from './commands.js';
import { base, errAtLeastOneArgument, errBlankCommandNames, fail, parseFlags, type ParseRequest } from './request.js';

/**
 * ENV, LABEL and ARG: lists of names and values. For ENV and LABEL the parser
 * already split `k=v` / `k v` into triples (name, value, separator); ARG splits
 * its own `k[=v]` words, since a name without a value is allowed there.
 */

/** BuildKit's `parseKvps`: the parser's (name, value, "=" or "") triples. */
function parseKvps(req: ParseRequest, command: string): KeyValue[] | Diagnostic {
  const args = req.args;
  if (args.length === 0) return errAtLeastOneArgument(req, command);
  // The parser always emits whole triples; anything else is a malformed node.
  if (args.length % 3 !== 0) return fail(req, 'too-many-arguments', `Bad input to ${command}, too many arguments`);
  const pairs: KeyValue[] = [];
  for (let i = 0; i < args.length; i += 3) {
    const key = args[i] ?? '';
    if (key === '') return errBlankCommandNames(req, command);
    pairs.push({ key, value: args[i + 1] ?? '', noDelim: args[i + 2] === '' });
  }
  return pairs;
}

/** `ENV k=v …` / `ENV k v`. */
export function parseEnv(req: ParseRequest): EnvCommand | Diagnostic {
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  const env = parseKvps(req, 'ENV');
  if (!Array.isArray(env)) return env;
  return { kind: 'env', ...base(req), env };
}

/**
 * `LABEL k=v …` / `LABEL k v`. `noExp` is false: BuildKit only skips expansion
 * for labels it synthesises itself (build options), never for parsed ones.
 */
export function parseLabel(req: ParseRequest): LabelCommand | Diagnostic {
  const flagError = parseFlags(req);
  if (flagError) return flagError;
  const labels = parseKvps(req, 'LABEL');
  if (!Array.isArray(labels)) return labels;
  return { kind: 'label', ...base(req), labels, noExp: false };
}

/**
 * The description of `name` in the comment lines above an instruction: the
 * first line starting with `name ` (BuildKit's `getComment`).
 */
export function descriptionComment(comments: readonly string[], name: string | undefined): string | undefined {
  if (!name) return undefined;
  for (const line of comments) {
    if (line.startsWith(`${name} `)) return line.slice(name.length + 1);
  }
  return undefined;
}

/**
 * `ARG name[=default] …`. BuildKit parses no flags for ARG (flags are ignored),
 * and keeps the first `=` as the separator.
 */
export function parseArg(req: ParseRequest): ArgCommand | Diagnostic {
  if (req.args.length < 1) return errAtLeastOneArgument(req, 'ARG');
  const args: KeyValueOptional[] = [];
  for (const arg of req.args) {
    const eq = arg.indexOf('=');
    const key = eq < 0 ? arg : arg.slice(0, eq);
    if (eq === 0) return errBlankCommandNames(req, 'ARG');
    const comment = descriptionComment(req.node.prevComment, key);
    args.push({
      key,
      ...(eq < 0 ? {} : { value: arg.slice(eq + 1) }),
      ...(comment === undefined ? {} : { comment }),
    });
  }
  return { kind: 'arg', ...base(req), args };
}
