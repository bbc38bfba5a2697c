import type { Diagnostic } from '../../../grammars/diagnostic.js';
import type { OnbuildCommand } from './commands.js';
import { base, errAtLeastOneArgument, fail, parseFlags, type ParseRequest } from './request.js';

/**
 * `ONBUILD <instruction>`: the trigger is kept as text (`expression`), to be
 * parsed again when an image built on this one runs it. BuildKit forbids
 * chaining ONBUILD and the triggers FROM and MAINTAINER.
 */

// Go regexp \s is [\t\n\f\r ].
const ONBUILD_PREFIX = /^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i;

/** `ONBUILD RUN …`: the trigger's source text, heredoc bodies appended. */
export function parseOnbuild(req: ParseRequest): OnbuildCommand | Diagnostic {
  const [trigger] = req.args;
  if (trigger === undefined) return errAtLeastOneArgument(req, 'ONBUILD');
  const flagError = parseFlags(req);
  if (flagError) return flagError;

  const keyword = trigger.trim().toUpperCase();
  if (keyword === 'ONBUILD') return fail(req, 'onbuild-chaining', 'Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (keyword === 'MAINTAINER' || keyword === 'FROM') return fail(req, 'onbuild-trigger', `${keyword} isn't allowed as an ONBUILD trigger`);

  // The heredocs belong to the ONBUILD line in BuildKit's tree; they travel with the expression.
  const heredocs = req.node.heredocs.length > 0 ? req.node.heredocs : (req.node.nested?.heredocs ?? []);
  let expression = req.node.original.replace(ONBUILD_PREFIX, '');
  for (const h of heredocs) expression += `\n${h.content}${h.name}`;
  return { kind: 'onbuild', ...base(req), expression };
}
