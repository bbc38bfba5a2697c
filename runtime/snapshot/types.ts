/**
 * Snapshots: immutable file-system trees that results are made of, stored as
 * layers (containerd's model). A committed snapshot is its parents' layers plus
 * its own; mounting stacks them with overlayfs (or copies, where overlay is
 * unavailable). Implemented in this folder.
 */

/** A writable snapshot being prepared (by an exec, a file op, a source). */
export interface ActiveSnapshot {
  /** Where the snapshot's tree is mounted, writable. */
  readonly dir: string;
  /** Internal id of the active snapshot. */
  readonly id: string;
}

/** A read-only view of a committed snapshot. */
export interface SnapshotView {
  readonly dir: string;
  release(): Promise<void>;
}

export interface Snapshotter {
  /**
   * Gets ready to mount (overlay starts its mount helper): the worker calls it as a step starts
   * running, so the first mount does not wait for the helper; a build with every step cached
   * never does.
   */
  warm?(): void;
  /**
   * Puts what this process wrote into snapshots on disk: overlay mounts are volatile and no
   * snapshot write is fsynced as it goes, so a build calls this once as it ends (one syncfs of
   * the snapshots' file system, where a sync per step cost ~5-15 ms each).
   */
  sync?(): Promise<void>;
  /** A writable tree on top of `parents` (committed snapshot ids, lowest first; empty for scratch). */
  prepare(parents: readonly string[]): Promise<ActiveSnapshot>;
  /** Unmounts and freezes an active snapshot; returns its committed id. */
  commit(active: ActiveSnapshot): Promise<string>;
  /** Throws an active snapshot away. */
  abort(active: ActiveSnapshot): Promise<void>;
  /** Mounts a committed snapshot read-only. */
  view(id: string): Promise<SnapshotView>;
  /** The layer directories of a committed snapshot, lowest first (for merge, diff and export). */
  layers(id: string): Promise<readonly string[]>;
  /** A bare upper dir to apply a layer into without mounting (overlay only; see upper-apply.ts). */
  prepareUpper?(parents: readonly string[]): Promise<(ActiveSnapshot & { readonly lowers: readonly string[] }) | undefined>;
  /**
   * A committed snapshot of `of`'s layers above its lowest `skip` ones (overlay only): the
   * changes `of` made over a snapshot whose layers those are, a DiffOp's result. It owns no
   * layer of its own and holds `of` (its parent) alive.
   */
  layersAbove?(of: string, skip: number): Promise<string>;
  /** The committed snapshots this one's layers stack on (must outlive it); none for a full copy. */
  parents?(id: string): Promise<readonly string[]>;
  /** Deletes a committed snapshot that nothing references any more. */
  remove(id: string): Promise<void>;
}
