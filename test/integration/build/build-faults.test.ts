import { kilnBin } from '../../support/kiln-cli.js';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { corpusDir } from '../../support/corpus.js';

// SIGKILL at random points of 20 builds: the root must stay usable, and a
// clean build afterwards succeeds and reuses the steps that had finished.
const kiln = kilnBin;
const canRun = process.getuid?.() === 0 && existsSync('/usr/sbin/runc');

(canRun ? describe : describe.skip)('killed builds', () => {
  it('leave a root the next build uses as is', async () => {
    const root = mkdtempSync(join(tmpdir(), 'kiln-root-'));
    await execa(process.execPath, [kiln, 'image', 'load', join(corpusDir('images'), 'busybox-oci'), '--name', 'localhost:5000/busybox:latest', '--root', root]);
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ctx-'));
    writeFileSync(join(dir, 'f.txt'), 'data\n');
    writeFileSync(join(dir, 'Dockerfile'), [
      'FROM localhost:5000/busybox:latest',
      'RUN echo one > /one',
      'COPY f.txt /f.txt',
      'RUN sleep 0.3 && echo two > /two',
      'RUN echo three > /three',
    ].join('\n'));
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20; i++) {
      const child = execa(process.execPath, [kiln, 'build', dir, '--root', root, '--progress', 'plain'], { reject: false });
      // Up to 4 s: some runs die while starting, some mid-step, some after steps finished.
      await sleep(200 + Math.floor(rand() * 3800));
      child.kill('SIGKILL');
      await child;
    }
    const out = join(dir, 'out');
    const r = await execa(process.execPath, [kiln, 'build', dir, '--root', root, '--progress', 'rawjson', '--output', `type=local,dest=${out}`]);
    const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { kind: string });
    expect(existsSync(join(out, 'three'))).toBe(true);
    expect(events.some((e) => e.kind === 'cached')).toBe(true);
  }, 300_000);
});
