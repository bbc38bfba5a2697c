import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { copyTree } from '../snapshot/copy-tree.js';
import { forgetExport, recordExport, unchangedSinceExport } from './export-record.js';
import type { ExportRecordRef } from './export-record.js';
import type { StagedExport } from './staged-export.js';

/** Options of {@link exportLocal}. */
export interface ExportLocalOptions {
  readonly signal?: AbortSignal;
  /** Skip the copy when `dest` holds this result exactly as recorded, and record the new tree (see export-record.ts). */
  readonly record?: ExportRecordRef;
  /** The bottom layers, copied while the build ran (see StagedExport): taken when the result begins with them. */
  readonly staged?: StagedExport;
}

/**
 * Writes a result's tree to a local directory (`--output type=local`): a plain directory, or a
 * snapshot's overlay layers (lowest first), merged as overlayfs would show them (whiteouts and
 * opaque directories honoured). The tree is built beside the destination and swapped in with
 * renames, so a failed or killed export leaves the old directory (or none), never half a tree.
 */
export async function exportLocal(src: string | { readonly layers: readonly string[] }, dest: string, opts: ExportLocalOptions = {}): Promise<void> {
  const { signal, record, staged } = opts;
  if (record) {
    if (unchangedSinceExport(record, dest)) {
      await staged?.discard();
      return;
    }
    forgetExport(record);
  }
  const parent = dirname(dest);
  // The few calls around the copy are synchronous: as a build ends, the thread pool is busy
  // (the log's fsync, background removals) and each round trip there cost ms.
  mkdirSync(parent, { recursive: true });
  const head = typeof src === 'string' ? await staged?.discard() : await staged?.take(src.layers);
  const tmp = head?.tmp ?? join(parent, `.${basename(dest)}.kiln-${randomBytes(6).toString('hex')}`);
  try {
    if (typeof src === 'string') await copyTree(src, tmp, signal ? { signal } : {});
    else for (const layer of head?.rest ?? src.layers) await copyTree(layer, tmp, { overlay: true, ...(signal ? { signal } : {}) });
    const ino = lstatSync(tmp, { bigint: true }).ino;
    const old = existsSync(dest) ? `${tmp}.old` : undefined;
    if (old) renameSync(dest, old);
    renameSync(tmp, dest);
    if (old) await rm(old, { recursive: true, force: true });
    // Without a record the next export only copies again.
    if (record) await recordExport(record, dest, ino, signal).catch(() => forgetExport(record));
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}
