import Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { findAddon } from '../addon-path.js';

let addonPath: string | undefined | null = null;

/**
 * Where SQLite's compiled addon is, so better-sqlite3 loads it by path: it would otherwise find
 * it with the `bindings` package, which probes a dozen paths from a stack trace (~10 ms of every
 * command). An addon built elsewhere (a Debug build) is left to that search.
 */
function sqliteAddon(): string | undefined {
  if (addonPath === null) {
    const file = 'better-sqlite3/build/Release/better_sqlite3.node';
    try {
      addonPath = findAddon(import.meta.url, file) ?? createRequire(import.meta.url).resolve(file);
    } catch {
      addonPath = undefined;
    }
  }
  return addonPath;
}

/** Opens (creating) an SQLite database file; `busyTimeoutMs` is how long a statement waits for another connection's lock. */
export function openSqlite(path: string, busyTimeoutMs: number): Database.Database {
  const nativeBinding = sqliteAddon();
  return new Database(path, { timeout: busyTimeoutMs, ...(nativeBinding === undefined ? {} : { nativeBinding }) });
}
