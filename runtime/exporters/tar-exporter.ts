import type { Writable } from 'node:stream';
import { writeLayerTar } from '../snapshot/layer-diff.js';

/**
 * Streams a result's tree as a tar (`--output type=tar`): sorted entries,
 * owners, modes and times kept, never the whole archive in memory.
 */
export async function exportTar(srcDir: string, out: Writable, signal?: AbortSignal): Promise<void> {
  await writeLayerTar(srcDir, out, signal ? { signal } : {});
}
