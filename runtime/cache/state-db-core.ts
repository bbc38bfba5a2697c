import type Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import { MIGRATIONS } from './migrations.js';
import { openSqlite } from './sqlite.js';

/** Options of {@link StateDb.open}. */
export interface StateDbOptions {
  /** How long a writer waits for another process's transaction, in ms. */
  readonly busyTimeoutMs?: number;
  /**
   * `commit` (the default): each commit is on disk when it returns. `flush`: commits reach the
   * disk at flush() (SQLite's synchronous=NORMAL; a power loss before it may lose the last
   * transactions, never the database's consistency). A commit apiece cost ~0.4 ms, a dozen per build.
   */
  readonly durableAt?: 'commit' | 'flush';
}

/**
 * What StateDb (state-db.ts) stands on: the SQLite connection and its settings, schema
 * migrations, write transactions, durability (this process's `unsynced` row, flush()), and use
 * times written late. StateDb adds the tables' records.
 *
 * better-sqlite3 is synchronous: a transaction can hold no `await`, which is
 * what keeps it short. Do the I/O first, then record it in one transaction.
 */
export class StateDbCore {
  readonly db: Database.Database;
  /** Use times not written yet (see touchCacheRecord). */
  readonly #touched = new Map<string, number>();
  /** This process's row of `unsynced`, written with its first write transaction (see trackUnsynced). */
  #unsynced: { readonly boot: string; readonly started: number; written: boolean } | undefined;

  /** Prepared statements by their text: preparing one took about as long as running it. */
  readonly #statements = new Map<string, Database.Statement>();

  readonly #durableAt: 'commit' | 'flush';

  protected constructor(db: Database.Database, durableAt: 'commit' | 'flush') {
    this.db = db;
    this.#durableAt = durableAt;
  }

  /** The prepared statement of `text`, made once. */
  protected sql(text: string): Database.Statement {
    let statement = this.#statements.get(text);
    if (!statement) this.#statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /**
   * Puts every commit made so far on disk (what `durableAt: 'flush'` leaves to the caller). An
   * fsync of the log, in the thread pool: ~3 ms that held the main thread as a build exported.
   */
  async flush(): Promise<void> {
    if (this.#durableAt === 'commit' || this.db.memory) return;
    let log: FileHandle;
    try {
      log = await open(`${this.db.name}-wal`, 'r');
    } catch {
      return; // no log: every commit is in the database file, which a checkpoint synced
    }
    try {
      await log.sync();
    } finally {
      await log.close();
    }
  }

  /** Opens (creating) a database file with kiln's settings; the schema is the caller's to migrate. */
  protected static connect(path: string, opts: StateDbOptions): Database.Database {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    try {
      const db = openSqlite(path, opts.busyTimeoutMs ?? 10_000);
      db.pragma('journal_mode = WAL');
      // FULL: a committed transaction survives power loss too, not only a killed process. In WAL
      // mode NORMAL keeps the commits in order: a power loss drops a suffix of them.
      db.pragma(opts.durableAt === 'flush' ? 'synchronous = NORMAL' : 'synchronous = FULL');
      db.pragma('foreign_keys = ON');
      return db;
    } catch (err) {
      throw new KilnError('state/open-failed', `cannot open the state database ${path}`, { cause: err });
    }
  }

  /** The schema version the database stands at. */
  get version(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  /**
   * Applies the migrations the database lacks, each in its own write
   * transaction that re-reads the version, so processes racing to open a new
   * root apply each one once. Idempotent.
   */
  migrate(): void {
    for (;;) {
      const applied = this.withTransaction(() => {
        const v = this.version;
        if (v > MIGRATIONS.length) {
          throw new KilnError('state/too-new', `the state database is at schema ${v}; this kiln knows up to ${MIGRATIONS.length}`);
        }
        const step = MIGRATIONS[v];
        if (step === undefined) return false;
        this.db.exec(step);
        this.db.pragma(`user_version = ${v + 1}`);
        return true;
      });
      if (!applied) return;
    }
  }

  /**
   * Runs `fn` in one write transaction (`BEGIN IMMEDIATE`: the write lock is
   * taken up front, so a busy database makes it wait instead of failing midway);
   * commits when it returns, rolls back when it throws. Nested calls join the outer one.
   */
  withTransaction<T>(fn: () => T): T {
    const unsynced = this.db.inTransaction ? undefined : this.#unsynced;
    const result = this.db.transaction(() => {
      this.#writeTouches();
      if (unsynced && !unsynced.written) {
        this.sql('INSERT OR REPLACE INTO unsynced (boot, pid, started) VALUES (?, ?, ?)').run(unsynced.boot, process.pid, unsynced.started);
      }
      return fn();
    }).immediate();
    if (unsynced) unsynced.written = true;
    return result;
  }

  /**
   * Notes that this process writes snapshots that reach the disk only at its end (overlay mounts
   * are volatile; see Snapshotter.sync): its row goes in with its first record, durable with it,
   * and markSynced() removes it. A row left from another boot means the machine went down under
   * that build, and recoverUnsynced() drops what it recorded.
   */
  trackUnsynced(boot: string, started = Date.now()): void {
    this.#unsynced = { boot, started, written: false };
  }

  /**
   * This process's snapshots are on disk: the records made with them are put there too (cheap
   * after the syncfs of the same file system), then its `unsynced` row goes. That removal is not
   * synced: a power loss before the kernel writes it back (or before the next flush) keeps the
   * row, and recovery drops records that were safe, never the reverse.
   */
  async markSynced(): Promise<void> {
    const mine = this.#unsynced;
    this.#unsynced = undefined;
    await this.flush();
    if (mine?.written) this.sql('DELETE FROM unsynced WHERE boot = ? AND pid = ?').run(mine.boot, process.pid);
  }

  /** Rows of builds that never got to markSynced(). */
  unsyncedBuilds(): { readonly boot: string; readonly pid: number; readonly started: number }[] {
    return this.sql('SELECT boot, pid, started FROM unsynced ORDER BY started').all() as { boot: string; pid: number; started: number }[];
  }

  /**
   * Marks a record used now (what LRU pruning goes by). Written with the next write
   * transaction or at close, not in one of its own: a no-op build touches every step's record,
   * and a commit apiece (each an fsync) cost it ~15 ms. A use time is a pruning hint; a
   * killed process loses only its own.
   */
  touchCacheRecord(key: string, now = Date.now()): void {
    this.#touched.set(key, Math.max(now, this.#touched.get(key) ?? 0));
  }

  #writeTouches(): void {
    if (this.#touched.size === 0) return;
    const update = this.sql('UPDATE cache_records SET last_used = MAX(last_used, ?) WHERE key = ?');
    for (const [key, at] of this.#touched) update.run(at, key);
    this.#touched.clear();
  }

  /** A use time of `key` not written yet (see touchCacheRecord). */
  protected touchedAt(key: string): number | undefined {
    return this.#touched.get(key);
  }

  /** Whether use times wait to be written. */
  protected get hasTouches(): boolean {
    return this.#touched.size > 0;
  }

  close(): void {
    if (this.#touched.size > 0 && this.db.open) {
      try {
        this.withTransaction(() => undefined);
      } catch {
        // use times are hints: a database too busy to take them loses them, not the build
      }
    }
    // The last connection's close checkpoints the log, syncing it first.
    this.db.close();
  }
}
