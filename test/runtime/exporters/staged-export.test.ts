import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportLocal } from '../../../runtime/exporters/local-exporter.js';
import { StagedExport } from '../../../runtime/exporters/staged-export.js';

// A local export's bottom layers copied while the build runs: taken by the export when the
// result begins with them, dropped otherwise; either way the destination gets the whole result.
describe('StagedExport', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-staged-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  const layer = (name: string, files: Record<string, string>) => {
    const dir = join(work, 'layers', name);
    for (const [p, data] of Object.entries(files)) {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), data);
    }
    return dir;
  };
  const base = layer('base', { 'etc/os': 'base\n', 'bin/sh': 'sh\n' });
  const other = layer('other', { 'etc/os': 'other\n' });
  const top = layer('top', { 'app/main': 'main\n', 'etc/os': 'top\n' });
  const leftovers = (dir: string) => readdirSync(dir).filter((n) => n.includes('.kiln-'));

  it('is taken by an export whose result begins with the staged layers; only the rest is copied', async () => {
    const dest = join(work, 'out1');
    const staged = StagedExport.start(dest, [base])!;
    expect(staged).toBeDefined();
    await exportLocal({ layers: [base, top] }, dest, { staged });
    expect(readFileSync(join(dest, 'etc/os'), 'utf8')).toBe('top\n');
    expect(readFileSync(join(dest, 'bin/sh'), 'utf8')).toBe('sh\n');
    expect(readFileSync(join(dest, 'app/main'), 'utf8')).toBe('main\n');
    expect(leftovers(work)).toEqual([]);
  });

  it('is dropped when the result does not begin with it, and the export is whole', async () => {
    const dest = join(work, 'out2');
    const staged = StagedExport.start(dest, [other])!;
    await exportLocal({ layers: [base, top] }, dest, { staged });
    expect(readFileSync(join(dest, 'etc/os'), 'utf8')).toBe('top\n');
    expect(readdirSync(dest).sort()).toEqual(['app', 'bin', 'etc']);
    expect(leftovers(work)).toEqual([]);
  });

  it('leaves nothing behind when discarded (a failed build), and starts nothing where dest has no parent yet', async () => {
    const staged = StagedExport.start(join(work, 'out3'), [base])!;
    await staged.discard();
    expect(leftovers(work)).toEqual([]);
    expect(StagedExport.start(join(work, 'missing', 'out'), [base])).toBeUndefined();
  });
});
