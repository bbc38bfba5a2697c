import { kilnBin } from '../../support/kiln-cli.js';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';
import { treeOfTar } from '../../support/tree.js';

// kiln's own solver: every solvable dockerfile-to-llb case, built from its
// Dockerfile and from BuildKit's llb.pb, must give exactly the tree BuildKit
// gave. Needs root and runc (CI runs as root).
const casesDir = corpusDir('dockerfile-to-llb');
const cases = readdirSync(casesDir).filter((d) => existsSync(join(casesDir, d, 'expected-tree.tsv')));
const layout = join(corpusDir('images'), 'busybox-oci');
const kiln = kilnBin;
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');
const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));

function caseCopy(name: string): string {
  // shared/ is read-only here; the trees were made from files with their write bits.
  const dir = join(mkdtempSync(join(tmpdir(), 'kiln-case-')), name);
  cpSync(join(casesDir, name), dir, { recursive: true });
  return dir;
}

async function build(args: string[], input?: Buffer): Promise<string[]> {
  const r = await execa(kiln, ['build', '--root', root, '--progress', 'plain', '--image-layout', layout, '--platform', 'linux/amd64', '--output', 'type=tar,dest=-', ...args], {
    encoding: 'buffer', stripFinalNewline: false, ...(input ? { input } : {}),
  });
  return treeOfTar(r.stdout);
}

(canRun ? describe : describe.skip)('kiln build reproduces BuildKit trees', () => {
  it.each(cases)('%s from its Dockerfile', async (name) => {
    const dir = caseCopy(name);
    await execa('chmod', ['-R', 'u+w', dir]);
    const want = readFileSync(join(casesDir, name, 'expected-tree.tsv'), 'utf8').split('\n').filter(Boolean);
    expect(await build([dir])).toEqual(want);
  }, 300_000);

  it.each(cases)('%s from BuildKit\'s llb.pb', async (name) => {
    const dir = caseCopy(name);
    await execa('chmod', ['-R', 'u+w', dir]);
    const want = readFileSync(join(casesDir, name, 'expected-tree.tsv'), 'utf8').split('\n').filter(Boolean);
    expect(await build(['--llb', '-', '--local', `context=${dir}`], readFileSync(join(dir, 'llb.pb')))).toEqual(want);
  }, 300_000);
});
