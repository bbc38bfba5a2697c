import { readFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { Definition, dumpDot, dumpJsonLines } from '../../compiler/index.js';
import { readStdin } from '../io.js';

/** Reads a marshaled Definition from a file or standard input (`-`). */
async function readDefinition(file: string | undefined): Promise<Definition> {
  const bytes = !file || file === '-' ? await readStdin() : new Uint8Array(await readFile(file));
  const def = Definition.unmarshal(bytes);
  def.validate();
  return def;
}

/** `kiln llb …`: look at LLB Definitions. */
export function llbCommand(y: Argv): Argv {
  return y
    .command(
      'dump [file]',
      'Print a Definition one op per line as JSON (as `buildctl debug dump-llb`), or as a Graphviz graph',
      (a) =>
        a
          .positional('file', { type: 'string', describe: 'marshaled pb.Definition; - or nothing for standard input' })
          .option('dot', { type: 'boolean', default: false, describe: 'print Graphviz DOT instead of JSON' }),
      async (args) => {
        const def = await readDefinition(args.file);
        process.stdout.write(args.dot ? dumpDot(def) : dumpJsonLines(def).map((l) => `${l}\n`).join(''));
      },
    )
    .command(
      'validate [file]',
      'Check that a Definition decodes and its graph is well formed',
      (a) => a.positional('file', { type: 'string', describe: 'marshaled pb.Definition; - or nothing for standard input' }),
      async (args) => {
        const def = await readDefinition(args.file);
        process.stdout.write(`ok: ${def.def.length} ops, result ${def.head().digest}\n`);
      },
    )
    .demandCommand(1, 'name an llb subcommand: dump or validate');
}
