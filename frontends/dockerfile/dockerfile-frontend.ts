import { DiagnosticError, locateError, patterns } from '../../compiler/index.js';

const readIgnoreFile = patterns.readIgnoreFile;
import type { Definition, Frontend, FrontendRequest, FrontendResult, Gateway, llb } from '../../compiler/index.js';
import { parseDockerfile } from '../../grammars/dockerfile/parser.js';
import type { ConvertOptions } from './convert/convert-options.js';
import { dockerfileToLlb } from './convert/convert.js';
import type { DockerImage } from './convert/image.js';
import type { Command } from './instructions/commands.js';
import { parseDockerfileInstructions, parseInstruction } from './instructions/parse.js';

/** What compiling a Dockerfile gives: the graph and the image config of the target. */
export interface CompiledDockerfile {
  readonly definition: Definition;
  readonly image: DockerImage;
  readonly platform: llb.Platform;
}

/**
 * Parses, checks and converts a Dockerfile to LLB.
 *
 * @throws DiagnosticError for mistakes in the Dockerfile, rendered with the
 * line, a caret and a hint; other KilnErrors for failures (e.g. an image that
 * cannot be resolved), located when they concern one instruction.
 */
export async function compileDockerfile(text: string, filename: string, opts: ConvertOptions = {}): Promise<CompiledDockerfile> {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) throw new DiagnosticError(parsed.errors, filename, text);
  const instructions = parseDockerfileInstructions(parsed.ast);
  if (!instructions.ok) throw new DiagnosticError(instructions.errors, filename, text);
  try {
    const result = await dockerfileToLlb(instructions.dockerfile, parsed.ast.escapeToken, {
      sourceMap: { filename, data: new TextEncoder().encode(text), language: 'Dockerfile' },
      parseTrigger: parseTrigger,
      ...opts,
    });
    const definition = await result.state.marshal({ platform: result.platform });
    return { definition, image: result.image, platform: result.platform };
  } catch (err) {
    throw locateError(err, filename, text);
  }
}

/** Parses one ONBUILD trigger expression (`RUN echo hi`) into a command. */
function parseTrigger(expression: string): Command {
  const parsed = parseDockerfile(expression);
  if (!parsed.ok) throw new DiagnosticError(parsed.errors, 'ONBUILD trigger', expression);
  const node = parsed.ast.instructions[0];
  const cmd = node ? parseInstruction(node) : undefined;
  if (!cmd || parsed.ast.instructions.length !== 1 || !('kind' in cmd) || cmd.kind === 'from' || !('node' in cmd)) {
    throw new DiagnosticError([{ id: 'dockerfile/onbuild', severity: 'error', message: 'onbuild trigger should be a single expression', range: { start: { line: 1, character: 0 }, end: { line: 1, character: expression.length } } }], 'ONBUILD trigger', expression);
  }
  return cmd as Command;
}

/**
 * The Dockerfile frontend (`dockerfile.v0`), options as BuildKit's: `target`, `build-arg:NAME`,
 * `label:NAME`, `no-cache` (empty: every stage, else a comma list of stages), `platform`.
 * Base image configs come through the Gateway; the .dockerignore next to the Dockerfile
 * (`NAME.dockerignore`) or in the context through `readLocalFile`.
 */
export const dockerfileFrontend: Frontend = {
  name: 'dockerfile',
  detect: (files) => files.some((f) => f === 'Dockerfile' || f.endsWith('.Dockerfile') || f.endsWith('.dockerfile')),
  async build(req: FrontendRequest, gw: Gateway): Promise<FrontendResult> {
    const buildArgs: { [k: string]: string } = {};
    const labels: { [k: string]: string } = {};
    for (const [k, v] of Object.entries(req.opts)) {
      if (k.startsWith('build-arg:')) buildArgs[k.slice(10)] = v;
      if (k.startsWith('label:')) labels[k.slice(6)] = v;
    }
    const noCache = req.opts['no-cache'];
    const target = req.target ?? req.opts.target;
    const ignore = await dockerignoreOf(req);
    const compiled = await compileDockerfile(new TextDecoder().decode(req.source), req.filename, {
      ...(target ? { target } : {}),
      ...(req.platform ? { targetPlatform: req.platform } : {}),
      buildArgs,
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      ...(noCache !== undefined ? { noCache: noCache === '' ? ['*'] : noCache.split(',').map((s) => s.trim()) } : {}),
      ...(ignore ? { excludePatterns: readIgnoreFile(new TextDecoder().decode(ignore)) } : {}),
      ...(req.sessionId ? { localUniqueId: req.sessionId } : {}),
      resolveImageConfig: (ref, platform) => gw.resolveImageConfig(ref, platform),
    });
    return { definition: compiled.definition, imageConfig: compiled.image };
  },
};

/** `<Dockerfile>.dockerignore` beside the Dockerfile, else the context's `.dockerignore` (BuildKit's order). */
async function dockerignoreOf(req: FrontendRequest): Promise<Uint8Array | undefined> {
  if (!req.readLocalFile) return undefined;
  const base = req.filename.split('/').pop() ?? 'Dockerfile';
  return (await req.readLocalFile('dockerfile', `${base}.dockerignore`)) ?? (await req.readLocalFile('context', '.dockerignore'));
}
