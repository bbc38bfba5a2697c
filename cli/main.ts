import yargs from 'yargs';
import { buildCommand } from './commands/build.js';
import { compileCommand } from './commands/compile.js';
import { imageCommand } from './commands/image.js';
import { llbCommand } from './commands/llb.js';
import { reportError, UsageError } from './errors.js';
import { kilnVersion } from './version.js';

/** Runs the kiln command line with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let failure: unknown;
  const base = yargs([...argv])
    .scriptName('kiln')
    // --no-cache and --no-cache-filter are options of their own, as in docker build, not negations.
    .parserConfiguration({ 'boolean-negation': false })
    .usage('$0 <command> [options]\n\nkiln builds container images from Dockerfiles and other build languages through BuildKit\'s LLB.')
    .command('llb', 'Inspect LLB definitions (BuildKit\'s build graph)', llbCommand);
  const cli = imageCommand(buildCommand(compileCommand(base)))
    .demandCommand(1, 'name a command; see kiln --help')
    .strict()
    .version(kilnVersion())
    .help()
    .alias('h', 'help')
    // yargs renders the help text after every command starts, to have it at hand: wrapping it
    // costs ~40 ms of a no-op build, so wrap only when help is what was asked for.
    .wrap(argv.some((a) => a === '--help' || a === '-h' || a === 'help') ? Math.min(100, process.stdout.columns || 100) : null)
    .fail((msg, err) => {
      failure = err ?? new UsageError(msg);
    })
    .exitProcess(false);
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
