import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { findAddon } from '../../runtime/addon-path.js';
import { repoRoot } from '../support/corpus.js';

describe('findAddon', () => {
  it('finds a package file in the nearest node_modules above a module, as Node would', () => {
    const from = pathToFileURL(join(repoRoot, 'dist', 'bundle', 'kiln.js')).href;
    const found = findAddon(from, 'better-sqlite3/build/Release/better_sqlite3.node');
    expect(found).toBe(join(repoRoot, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
    expect(existsSync(found!)).toBe(true);
  });

  it('answers undefined for a file no node_modules has, and for a URL that is no file', () => {
    expect(findAddon(pathToFileURL(join(repoRoot, 'x.js')).href, 'no-such-package/addon.node')).toBeUndefined();
    expect(findAddon('data:text/javascript,0', 'better-sqlite3/package.json')).toBeUndefined();
  });
});
