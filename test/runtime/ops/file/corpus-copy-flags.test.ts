import { readFileSync } from 'node:fs';
import { chmod, cp, lstat, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Definition } from '../../../../compiler/index.js';
import type { pb } from '../../../../compiler/index.js';
import { applyFileAction } from '../../../../runtime/ops/file/index.js';
import { corpusDir } from '../../../support/corpus.js';
import { tempDirs } from './helpers.js';

// The COPY steps of dockerfile-to-llb/05-copy-flags, decoded from BuildKit's own llb.pb and
// run on a scratch target with /etc, compared with the tree BuildKit produced. Owners are
// compared only when running as root.
const CASE = corpusDir('dockerfile-to-llb/05-copy-flags');
const temp = tempDirs();
const isRoot = process.getuid?.() === 0;

function copyActions(): pb.FileActionCopy[] {
  const def = Definition.unmarshal(readFileSync(join(CASE, 'llb.pb')));
  const out: pb.FileActionCopy[] = [];
  for (const op of def.ops()) {
    for (const a of op.op.file?.actions ?? []) if (a.copy !== undefined) out.push(a.copy);
  }
  return out;
}

function expectedLines(prefixes: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of readFileSync(join(CASE, 'expected-tree.tsv'), 'utf8').split('\n')) {
    const f = line.split('\t');
    if (prefixes.some((p) => f[0] === p || f[0]!.startsWith(`${p}/`))) out.set(f[0]!, f);
  }
  return out;
}

/** The context as it was when BuildKit built it: the corpus is stored read-only, it was not. */
async function context(): Promise<string> {
  const dir = await temp();
  await cp(CASE, dir, { recursive: true });
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        await chmod(p, 0o755);
        await walk(p);
      } else {
        await chmod(p, 0o644);
      }
    }
  };
  await chmod(dir, 0o755);
  await walk(dir);
  return dir;
}

test('05-copy-flags: --chmod, wildcard into a new dir, dir contents, a name with a space', async () => {
  const actions = copyActions();
  expect(actions.map((a) => a.src)).toEqual(['/conf/*.conf', '/data', '/with space.txt', '/run.sh']);
  const source = await context();
  const target = await temp();
  await mkdir(join(target, 'etc'), { mode: 0o755 });
  await mkdir(join(target, 'usr/local/bin'), { recursive: true, mode: 0o755 });
  for (const copy of actions) await applyFileAction({ copy }, { source, target });

  const expected = expectedLines(['/etc/app', '/data', '/spaced', '/usr/local/bin/run']);
  expect(expected.size).toBe(8);
  for (const [path, f] of expected) {
    const st = await lstat(join(target, path));
    const type = st.isDirectory() ? 'd' : st.isSymbolicLink() ? 'l' : 'f';
    const got = [path, type, (st.mode & 0o7777).toString(8).padStart(4, '0'), isRoot ? `${st.uid}:${st.gid}` : f[3], type === 'f' ? String(st.size) : '0'];
    expect(got).toEqual(f.slice(0, 5));
  }
});
