import { randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { KilnError } from '../../compiler/index.js';
import { syncFileSystem } from './mount.js';

/** What `<root>/snapshots/<id>/meta.json` records. */
export interface SnapshotRecord {
  readonly version: 1;
  readonly id: string;
  readonly state: 'active' | 'committed';
  /** The snapshots it was prepared on, lowest first. */
  readonly parents: readonly string[];
  /**
   * Its layer chain, lowest first, its own layer last; paths relative to
   * `<root>/snapshots` (`<id>/fs`, `<id>/flat`), so the root can move.
   */
  readonly layers: readonly string[];
}

const ID = /^[0-9a-f]{16}$/;

/**
 * The on-disk layout both snapshotters share: `<root>/snapshots/<id>/` holding
 * `fs` (the snapshot's own layer) and `meta.json`, written atomically (temp
 * file + rename) so a killed process never leaves a half record.
 */
export class SnapshotStore {
  readonly #given: string;
  #root: Promise<string> | undefined;
  /** Committed records read or written by this process: they never change, only go (delete). */
  readonly #committed = new Map<string, SnapshotRecord>();
  /** Whether this process wrote a snapshot since the last sync(): every new snapshot writes its record. */
  #wrote = false;

  constructor(root: string) {
    this.#given = root;
  }

  /** The root, created and resolved to its real path (mountinfo lists real paths). */
  root(): Promise<string> {
    this.#root ??= (async () => {
      await mkdir(join(this.#given, 'snapshots'), { recursive: true });
      return realpath(this.#given);
    })();
    return this.#root;
  }

  /** `<root>/snapshots`, where layer paths in records are relative to. */
  async snapshotsDir(): Promise<string> {
    return join(await this.root(), 'snapshots');
  }

  /** A new random snapshot id (16 hex digits: short, so long overlay chains fit one page). */
  newId(): string {
    return randomBytes(8).toString('hex');
  }

  /** The directory of snapshot `id`, refusing anything that is not an id (no path tricks). */
  async dir(id: string): Promise<string> {
    if (!ID.test(id)) throw new KilnError('snapshot/bad-id', `not a snapshot id: ${JSON.stringify(id)}`);
    return join(await this.snapshotsDir(), id);
  }

  /** Puts what this process wrote under the root on disk (see Snapshotter.sync); nothing when it wrote nothing. */
  async sync(): Promise<void> {
    if (!this.#wrote) return;
    this.#wrote = false;
    await syncFileSystem(await this.root());
  }

  // Records are a few hundred bytes: read and written with synchronous calls (an asynchronous
  // readFile is four thread-pool round trips, and a cached build reads one per step).
  async write(rec: SnapshotRecord): Promise<void> {
    this.#wrote = true;
    const dir = await this.dir(rec.id);
    const tmp = join(dir, `.meta.json.${randomBytes(4).toString('hex')}`);
    writeFileSync(tmp, `${JSON.stringify(rec)}\n`);
    renameSync(tmp, join(dir, 'meta.json'));
    if (rec.state === 'committed') this.#committed.set(rec.id, rec);
  }

  /** The record of `id`; `state` says which kind the caller needs. */
  async read(id: string, state: SnapshotRecord['state']): Promise<SnapshotRecord> {
    let rec = this.#committed.get(id);
    if (rec === undefined) {
      try {
        rec = JSON.parse(readFileSync(join(await this.dir(id), 'meta.json'), 'utf8')) as SnapshotRecord;
      } catch (err) {
        if (err instanceof KilnError) throw err;
        throw new KilnError('snapshot/not-found', `no snapshot ${id}`, { cause: err });
      }
      if (rec.state === 'committed') this.#committed.set(id, rec);
    }
    if (rec.state !== state) throw new KilnError('snapshot/wrong-state', `snapshot ${id} is ${rec.state}, not ${state}`);
    return rec;
  }

  /** Absolute paths of a record's layers, lowest first. */
  async layerPaths(rec: SnapshotRecord): Promise<string[]> {
    const base = await this.snapshotsDir();
    return rec.layers.map((l) => join(base, l));
  }

  /** Deletes a snapshot: the record first, so a crash midway leaves no half snapshot visible. */
  async delete(id: string): Promise<void> {
    const dir = await this.dir(id);
    this.#committed.delete(id);
    await rm(join(dir, 'meta.json'), { force: true });
    await rm(dir, { recursive: true, force: true });
  }
}
