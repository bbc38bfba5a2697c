import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusDir } from '../support/corpus.js';
import { runKiln } from '../support/kiln-cli.js';

const casesDir = corpusDir('dockerfile-to-llb');
const layout = join(corpusDir('images'), 'busybox-oci');

/** Lines of a dump with the per-client local.unique (and digests that depend on it) left out. */
function shape(jsonl: string): unknown[] {
  return jsonl.split('\n').filter(Boolean).map((l) => {
    const o = JSON.parse(l) as { Op: { Op?: { source?: { attrs?: Record<string, string> } } } };
    delete o.Op.Op?.source?.attrs?.['local.unique'];
    return JSON.parse(JSON.stringify(o).replace(/sha256:[0-9a-f]{64}/g, 'sha256:…').replace(/"progress_group":\{"id":"[a-z0-9]+"/g, '"progress_group":{"id":"…"'));
  });
}

describe('kiln compile', () => {
  it('prints the same graph as BuildKit for a corpus case (--format json)', () => {
    const dir = join(casesDir, '03-mounts');
    const r = runKiln(['compile', dir, '--platform', 'linux/amd64', '--image-layout', layout, '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(shape(r.stdout)).toEqual(shape(readFileSync(join(dir, 'llb.jsonl'), 'utf8')));
  });

  it('writes a Definition that kiln llb validate accepts, and the image config', () => {
    const dir = join(casesDir, '08-onbuild-config');
    const out = mkdtempSync(join(tmpdir(), 'kiln-compile-'));
    const pb = runKiln(['compile', '-f', join(dir, 'Dockerfile'), dir, '--platform', 'linux/amd64', '--image-layout', layout, '--image-config', join(out, 'config.json')]);
    expect(pb.code).toBe(0);
    const bytes = Buffer.from(pb.stdout, 'latin1');
    expect(bytes.length).toBeGreaterThan(0);
    const config = JSON.parse(readFileSync(join(out, 'config.json'), 'utf8')) as { config: { Entrypoint: string[] } };
    expect(config.config.Entrypoint).toEqual(['/bin/sh']);
  });

  it('reports a mistake with file:line:col, the line, a caret and a hint, and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-compile-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch\nRUNN echo hi\n');
    const r = runKiln(['compile', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Dockerfile:2:1: error: .*RUNN/);
    expect(r.stderr).toContain('RUNN echo hi');
    expect(r.stderr).toMatch(/\| \^\^\^\^/);
    expect(r.stderr).toMatch(/hint: .*RUN/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('refuses an unknown option before doing anything', () => {
    for (const cmd of [['compile'], ['build'], ['llb', 'dump']]) {
      const r = runKiln([...cmd, '--no-such-flag']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/Unknown arguments?: no-such-flag/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('names an unknown --target and suggests a stage', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-compile-'));
    writeFileSync(join(dir, 'Dockerfile'), 'FROM scratch AS builder\nFROM scratch\n');
    const r = runKiln(['compile', dir, '--target', 'buildr']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('did you mean builder?');
  });
});
