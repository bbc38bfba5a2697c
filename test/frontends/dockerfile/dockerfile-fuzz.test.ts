import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { KilnError } from '../../../compiler/index.js';
import { compileDockerfile } from '../../../frontends/index.js';
import { corpusDir } from '../../support/corpus.js';

// 10,000 generated and mutated Dockerfiles: each either compiles to a valid
// graph or fails with a KilnError (a located diagnostic), never anything else.
const seeds = [
  ...readdirSync(corpusDir('dockerfile-to-llb')).map((d) => join(corpusDir('dockerfile-to-llb'), d, 'Dockerfile')),
  ...readdirSync(join(corpusDir('buildkit-dockerfile-parser'), 'testfiles')).map((d) => join(corpusDir('buildkit-dockerfile-parser'), 'testfiles', d, 'Dockerfile')),
].filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8'));

const KEYWORDS = ['FROM', 'RUN', 'COPY', 'ADD', 'ENV', 'ARG', 'WORKDIR', 'USER', 'LABEL', 'EXPOSE', 'VOLUME', 'CMD', 'ENTRYPOINT', 'SHELL', 'HEALTHCHECK', 'ONBUILD', 'STOPSIGNAL', 'MAINTAINER', 'RUNN'];
const PIECES = ['\\\n', '\n', ' ', '"', "'", '[', ']', '${', '}', '$A', '<<EOF\n', 'EOF\n', '--mount=type=cache,target=/c', '--from=0', '--chmod=755', '#', '`', '=', ',', '\t', 'scratch', 'AS x', '--platform=linux/arm64', '\r\n', '\u00e9', ':-', '%%'];

async function outcome(text: string): Promise<'ok' | 'error'> {
  try {
    const r = await compileDockerfile(text, 'Dockerfile', { localUniqueId: 'fuzz' });
    r.definition.validate();
    return 'ok';
  } catch (err) {
    if (err instanceof KilnError) return 'error';
    throw new Error(`not a KilnError for ${JSON.stringify(text)}: ${err instanceof Error ? err.stack : String(err)}`);
  }
}

const mutated = fc.tuple(fc.constantFrom(...seeds), fc.array(fc.tuple(fc.nat(), fc.nat(4), fc.constantFrom(...PIECES)), { minLength: 1, maxLength: 6 })).map(([seed, edits]) => {
  let s = seed;
  for (const [pos, kind, piece] of edits) {
    const at = s.length ? pos % s.length : 0;
    if (kind === 0) s = s.slice(0, at) + s.slice(at + 1 + (pos % 7));
    else if (kind === 1) s = s.slice(0, at);
    else s = s.slice(0, at) + piece + s.slice(at);
  }
  return s;
});

const generated = fc.array(fc.tuple(fc.constantFrom(...KEYWORDS), fc.array(fc.constantFrom(...PIECES, 'a', 'b', '/x', '1'), { maxLength: 8 })), { minLength: 1, maxLength: 12 }).map(
  (lines) => `FROM scratch\n${lines.map(([k, parts]) => `${k} ${parts.join('')}`).join('\n')}\n`,
);

describe('Dockerfile fuzz', () => {
  it('5,000 mutated corpus Dockerfiles compile or fail with a KilnError', async () => {
    await fc.assert(fc.asyncProperty(mutated, async (text) => void (await outcome(text))), { seed: 7, numRuns: 5000 });
  }, 120_000);

  it('5,000 generated Dockerfiles compile or fail with a KilnError', async () => {
    await fc.assert(fc.asyncProperty(generated, async (text) => void (await outcome(text))), { seed: 11, numRuns: 5000 });
  }, 120_000);
});
