import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { llb } from '../../../compiler/index.js';
import { repoRoot } from '../../support/corpus.js';
// @ts-expect-error: plain JS fixture shared with a child process
import { sampleGraph } from '../../fixtures/sample-graph.mjs';

const build = sampleGraph as (l: typeof llb) => llb.State;

function inChildProcess(): string {
  const dist = pathToFileURL(join(repoRoot, 'dist/compiler/index.js')).href;
  const fixture = pathToFileURL(join(repoRoot, 'test/fixtures/sample-graph.mjs')).href;
  const code = `const { llb } = await import(${JSON.stringify(dist)}); const { sampleGraph } = await import(${JSON.stringify(fixture)});
    const def = await sampleGraph(llb).marshal(); process.stdout.write(Buffer.from(def.marshal()).toString('hex'));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', timeout: 30_000 });
}

describe('marshal is deterministic', () => {
  it('gives the same bytes in two separate processes and in this one', async () => {
    const here = Buffer.from((await build(llb).marshal()).marshal()).toString('hex');
    const a = inChildProcess();
    const b = inChildProcess();
    expect(a).toBe(b);
    expect(here).toBe(a);
  });

  it('lists each op once, inputs before their users, and the terminal op last', async () => {
    const def = await build(llb).marshal();
    def.validate();
    const ops = def.ops();
    const seen = new Set<string>();
    for (const o of ops) {
      expect(seen.has(o.digest)).toBe(false);
      for (const i of o.op.inputs ?? []) expect(seen.has(i.digest ?? '')).toBe(true);
      seen.add(o.digest);
    }
    const kinds = ops.map((o) => Object.keys(o.op).find((k) => ['exec', 'source', 'file', 'merge', 'diff'].includes(k)) ?? 'terminal');
    expect(kinds.at(-1)).toBe('terminal');
    expect(new Set(kinds)).toEqual(new Set(['source', 'exec', 'file', 'merge', 'diff', 'terminal']));
  });
});
