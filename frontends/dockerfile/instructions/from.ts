import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { FromCommand } from './commands.js';
import { warningAt } from './failure.js';
import { goQuote } from './go-strconv.js';
import { descriptionComment } from './key-values.js';
import { base, fail, failArg, parseFlags, type ParseRequest } from './request.js';

/**
 * `FROM [--platform=…] image [AS name]`: the start of a stage. Stage names are
 * case-insensitive (kept lower-cased) and must match BuildKit's
 * `^[a-z][a-z0-9-_.]*$` once lower-cased. The casing lints BuildKit runs while
 * parsing FROM (StageNameCasing, FromAsCasing) are reported as warnings.
 */

const VALID_STAGE_NAME = /^[a-z][a-z0-9_.-]*$/;

/** `FROM …`; lint warnings go to `warnings` when given. */
export function parseFrom(req: ParseRequest, warnings?: Diagnostic[]): FromCommand | Diagnostic {
  const args = req.args;
  if (warnings) lintFrom(req, warnings);

  let name: string | undefined;
  const [baseName, as, stageName] = args;
  if (args.length === 3 && as !== undefined && stageName !== undefined && as.toLowerCase() === 'as') {
    name = stageName.toLowerCase();
    if (!VALID_STAGE_NAME.test(name)) {
      return failArg(req, 2, 'invalid-stage-name',
        `invalid name for build stage: ${goQuote(stageName)}, name can't start with a number or contain symbols`);
    }
  } else if (args.length !== 1) {
    return fail(req, 'from-arguments', 'FROM requires either one or three arguments');
  }

  const platform = req.flags.addString('platform');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  const comment = descriptionComment(req.node.prevComment, name);
  return {
    kind: 'from',
    ...base(req),
    baseName: baseName ?? '',
    ...(name === undefined ? {} : { name }),
    ...(platform.value === '' ? {} : { platform: platform.value }),
    ...(comment === undefined ? {} : { comment }),
  };
}

function lintFrom(req: ParseRequest, warnings: Diagnostic[]): void {
  const [, as, stageName] = req.args;
  const range = req.node.range;
  if (req.args.length === 3 && stageName !== undefined && stageName !== stageName.toLowerCase()) {
    warnings.push(warningAt(range, 'stage-name-casing', `Stage name '${stageName}' should be lowercase`));
  }
  // Only judged when FROM itself is consistently cased; mixed-case FROM is another lint's business.
  const keyword = req.node.keywordText;
  if (req.args.length < 3 || as === undefined) return;
  const lower = keyword === keyword.toLowerCase();
  const upper = keyword === keyword.toUpperCase();
  if (lower === upper) return;
  const matches = lower ? as === as.toLowerCase() : as === as.toUpperCase();
  if (!matches) warnings.push(warningAt(range, 'from-as-casing', `'${as}' and '${keyword}' keywords' casing do not match`));
}
