import yargs from 'yargs';
import { buildCommand } from './commands/build.js';
import { compileCommand } from './commands/compile.js';
import { imageCommand } from './commands/image.js';
import { llbCommand } from './commands/llb.js';
import { pruneCommands } from './commands/prune.js';
import { reportError, UsageError } from './errors.js';
import { kilnVersion } from './version.js';

/** Runs the kiln command line with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let failure: unknown;
  const wantsHelp = argv.some((a) => a === '--help' || a === '-h' || a === 'help');
  const base = yargs([...argv])
    .scriptName('kiln')
    // --no-cache and --no-cache-filter are options of their own, as in docker build, not negations.
    .parserConfiguration({ 'boolean-negation': false })
    .usage('$0 <command> [options]\n\nkiln builds container images from Dockerfiles and other build languages through BuildKit\'s LLB.')
    .command('llb', 'Inspect LLB definitions (BuildKit\'s build graph)', llbCommand);
  const cli = pruneCommands(imageCommand(buildCommand(compileCommand(base))))
    .demandCommand(1, 'name a command; see kiln --help')
    .strict()
    .version(kilnVersion())
    .help()
    .alias('h', 'help')
    // yargs renders the help text after every command starts, to have it at hand: wrapping it
    // costs ~40 ms of a no-op build, so wrap only when help is what was asked for.
    .wrap(wantsHelp ? Math.min(100, process.stdout.columns || 100) : null)
    // Thrown, not recorded: a fail callback that returns lets yargs run the command anyway
    // (an unknown option would be ignored instead of refused).
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    })
    .exitProcess(false);
  if (!wantsHelp) skipHelpCache(cli);
  try {
    await cli.parseAsync();
  } catch (err) {
    failure ??= err;
  }
  if (failure) {
    const code = reportError(failure);
    if (failure instanceof UsageError) process.stderr.write('Run kiln --help for usage.\n');
    return code;
  }
  return 0;
}

/**
 * yargs renders the whole help text as every command starts, to have it should the command
 * fail (~50 ms of a 0.35 s no-op build). kiln prints its own errors and never that text, so the
 * render is skipped unless help was asked for. This reaches into yargs' internals: when they
 * change, the guard leaves yargs as it is (slower, still correct).
 */
function skipHelpCache(cli: unknown): void {
  const usage = (cli as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } })
    .getInternalMethods?.().getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}
