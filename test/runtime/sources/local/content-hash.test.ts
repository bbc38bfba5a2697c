import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumContext, checksumPaths, digestFileContent } from '../../../../runtime/sources/local/index.js';
import type { ChecksumOptions } from '../../../../runtime/sources/local/index.js';
import { tempDir, writeTree } from './make-tree.js';

let tmp: ReturnType<typeof tempDir>;
let ctx: string;
beforeEach(() => {
  tmp = tempDir();
  ctx = join(tmp.dir, 'ctx');
  writeTree(ctx, {
    'Dockerfile': 'FROM scratch\n',
    'src/a.ts': 'export const a = 1;\n',
    'src/b.ts': 'export const b = 2;\n',
    'src/c.js': 'c',
    'docs/guide.md': '# guide\n',
    'link': { link: 'src/a.ts' },
  });
});
afterEach(() => tmp.cleanup());

/** Options whose file reads are counted, by path relative to `ctx`. */
function countingReads(extra: ChecksumOptions = {}): { options: ChecksumOptions; reads: string[] } {
  const reads: string[] = [];
  const options: ChecksumOptions = {
    ...extra,
    digestFile: async (abs, signal) => {
      reads.push(abs.slice(abs.indexOf('/ctx/') + 5));
      return digestFileContent(abs, signal);
    },
  };
  return { options, reads };
}

describe('checksumContext', () => {
  test('is a sha256 digest, the same for the same content', async () => {
    const h = await checksumContext(ctx);
    expect(h).toMatch(/^sha256:[0-9a-f]{64}$/);
    const copy = join(tmp.dir, 'copy');
    writeTree(copy, {
      'Dockerfile': 'FROM scratch\n', 'src/a.ts': 'export const a = 1;\n', 'src/b.ts': 'export const b = 2;\n',
      'src/c.js': 'c', 'docs/guide.md': '# guide\n', 'link': { link: 'src/a.ts' },
    });
    expect(await checksumContext(copy)).toBe(h);
  });

  test('ignores mtimes: touching a file keeps the checksum', async () => {
    const h = await checksumContext(ctx);
    utimesSync(join(ctx, 'src/a.ts'), 12345, 12345);
    utimesSync(join(ctx, 'src'), 12345, 12345);
    expect(await checksumContext(ctx)).toBe(h);
  });

  test('changes with content, mode, names, symlink targets and the walk options', async () => {
    const seen = new Set<string>([await checksumContext(ctx)]);
    const changes: (() => void)[] = [
      () => writeFileSync(join(ctx, 'src/a.ts'), 'export const a = 2;\n'),
      () => chmodSync(join(ctx, 'src/b.ts'), 0o600),
      () => renameSync(join(ctx, 'docs/guide.md'), join(ctx, 'docs/guide2.md')),
      () => mkdirSync(join(ctx, 'empty')),
    ];
    for (const change of changes) {
      change();
      seen.add(await checksumContext(ctx));
    }
    seen.add(await checksumContext(ctx, { exclude: ['docs'] }));
    expect(seen.size).toBe(changes.length + 2);
  });

  test('with a stat cache, reads only files that changed since the last run', async () => {
    const cachePath = join(tmp.dir, 'state', 'ctx.json');
    // The files were just written: trusted here only because the racy window is off.
    const counting = (o: ChecksumOptions = {}) => countingReads({ racyWindowMs: 0, ...o });
    const first = counting({ statCachePath: cachePath });
    const h1 = await checksumContext(ctx, {}, first.options);
    expect(first.reads.sort()).toEqual(['Dockerfile', 'docs/guide.md', 'src/a.ts', 'src/b.ts', 'src/c.js']);
    expect(existsSync(cachePath)).toBe(true);
    expect(JSON.parse(readFileSync(cachePath, 'utf8')).version).toBe(1);

    const second = counting({ statCachePath: cachePath });
    expect(await checksumContext(ctx, {}, second.options)).toBe(h1);
    expect(second.reads).toEqual([]);

    writeFileSync(join(ctx, 'src/b.ts'), 'export const b = 3;\n');
    utimesSync(join(ctx, 'docs/guide.md'), 99, 99);
    const third = counting({ statCachePath: cachePath });
    const h3 = await checksumContext(ctx, {}, third.options);
    expect(third.reads.sort()).toEqual(['docs/guide.md', 'src/b.ts']);
    expect(h3).not.toBe(h1);

    // A corrupt cache file is only a cold cache.
    writeFileSync(cachePath, '{not json');
    const fourth = counting({ statCachePath: cachePath });
    expect(await checksumContext(ctx, {}, fourth.options)).toBe(h3);
    expect(fourth.reads).toHaveLength(5);
  });

  test('does not remember a file changed just before it was read: the next run reads it again', async () => {
    const cachePath = join(tmp.dir, 'state', 'racy.json');
    const first = countingReads({ statCachePath: cachePath });
    const h1 = await checksumContext(ctx, {}, first.options);
    expect(first.reads).toHaveLength(5);
    // Same size, mtime put back: on a coarse file clock even ctime could stay the same.
    const st = statSync(join(ctx, 'src/a.ts'));
    writeFileSync(join(ctx, 'src/a.ts'), 'export const a = 9;\n');
    utimesSync(join(ctx, 'src/a.ts'), st.atime, st.mtime);
    const second = countingReads({ statCachePath: cachePath });
    expect(await checksumContext(ctx, {}, second.options)).not.toBe(h1);
    expect(second.reads).toHaveLength(5);
  });

  test('reads only what the walk sends, never through a symlink', async () => {
    const { options, reads } = countingReads();
    await checksumContext(ctx, { followPaths: ['link'] }, options);
    expect(reads).toEqual(['src/a.ts']);
  });
});

describe('checksumPaths', () => {
  test('changes only when a selected path changes', async () => {
    const h = await checksumPaths(ctx, ['src/*.ts', 'Dockerfile']);
    writeFileSync(join(ctx, 'src/c.js'), 'not selected');
    writeFileSync(join(ctx, 'docs/guide.md'), 'not selected');
    expect(await checksumPaths(ctx, ['src/*.ts', 'Dockerfile'])).toBe(h);
    writeFileSync(join(ctx, 'src/new.ts'), 'selected');
    const h2 = await checksumPaths(ctx, ['src/*.ts', 'Dockerfile']);
    expect(h2).not.toBe(h);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\n');
    expect(await checksumPaths(ctx, ['src/*.ts', 'Dockerfile'])).not.toBe(h2);
  });

  test('a directory selector covers everything under it; `.` is the whole tree', async () => {
    const h = await checksumPaths(ctx, ['src']);
    writeFileSync(join(ctx, 'src/c.js'), 'under src');
    expect(await checksumPaths(ctx, ['src'])).not.toBe(h);
    expect(await checksumPaths(ctx, ['/src/'])).toBe(await checksumPaths(ctx, ['src']));
    const all = await checksumPaths(ctx, ['.']);
    writeFileSync(join(ctx, 'docs/guide.md'), 'x');
    expect(await checksumPaths(ctx, ['.'])).not.toBe(all);
  });

  test('does not read unselected files and follows a selected symlink inside the tree', async () => {
    const { options, reads } = countingReads();
    const h = await checksumPaths(ctx, ['link'], options);
    expect(reads).toEqual(['src/a.ts']);
    writeFileSync(join(ctx, 'src/a.ts'), 'changed through the link');
    expect(await checksumPaths(ctx, ['link'])).not.toBe(h);
  });

  test('reads from the filtered context when given the source filters', async () => {
    const h = await checksumPaths(ctx, ['src'], { filter: { exclude: ['**/*.js'] } });
    writeFileSync(join(ctx, 'src/c.js'), 'excluded from the context');
    expect(await checksumPaths(ctx, ['src'], { filter: { exclude: ['**/*.js'] } })).toBe(h);
  });

  test('a selector matching nothing still gives a stable key', async () => {
    expect(await checksumPaths(ctx, ['missing/*.go'])).toBe(await checksumPaths(ctx, ['missing/*.go']));
    expect(await checksumPaths(ctx, ['missing/*.go'])).not.toBe(await checksumPaths(ctx, ['other/*.go']));
  });
});

test('a 20,000-file tree hashes (timing printed)', async () => {
  const big = join(tmp.dir, 'big');
  for (let d = 0; d < 200; d++) {
    const dir = join(big, `dir${String(d).padStart(3, '0')}`);
    mkdirSync(dir, { recursive: true });
    for (let f = 0; f < 100; f++) writeFileSync(join(dir, `file${f}.txt`), `content ${d}/${f}\n`);
  }
  const cachePath = join(tmp.dir, 'big.json');
  let t = performance.now();
  const cold = await checksumContext(big, {}, { statCachePath: cachePath, racyWindowMs: 0 });
  const coldMs = performance.now() - t;
  t = performance.now();
  const warm = await checksumContext(big, {}, { statCachePath: cachePath });
  const warmMs = performance.now() - t;
  expect(warm).toBe(cold);
  console.log(`20,000 files (+200 dirs): cold ${coldMs.toFixed(0)} ms, with stat cache ${warmMs.toFixed(0)} ms`);
}, 120_000);
