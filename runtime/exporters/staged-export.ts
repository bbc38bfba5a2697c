import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { copyTree } from '../snapshot/copy-tree.js';

/**
 * A local export begun before its result exists: the layers the result will begin with (its
 * stage's base image, known once that step is done) are copied beside the destination while
 * the build's other steps run, and exportLocal then copies only the layers above them. Nothing
 * is guessed: a result that does not begin with exactly these layers is exported in full and
 * the staged tree dropped.
 */
export class StagedExport {
  /** The tree being staged, beside the destination (exportLocal's temp dir). */
  readonly tmp: string;
  /** The layers staged, lowest first. */
  readonly layers: readonly string[];
  readonly #copied: Promise<boolean>;
  #settled = false;

  private constructor(tmp: string, layers: readonly string[], copied: Promise<boolean>) {
    this.tmp = tmp;
    this.layers = layers;
    this.#copied = copied;
  }

  /**
   * Starts copying `layers` for an export to `dest`; undefined when dest's parent does not exist
   * yet (a build that fails must leave no directory behind).
   */
  static start(dest: string, layers: readonly string[], signal?: AbortSignal): StagedExport | undefined {
    if (layers.length === 0 || !existsSync(dirname(dest))) return undefined;
    const tmp = join(dirname(dest), `.${basename(dest)}.kiln-${randomBytes(6).toString('hex')}`);
    const copied = (async () => {
      // Copied while steps run: the event loop gets a turn every few entries.
      for (const layer of layers) await copyTree(layer, tmp, { overlay: true, entriesPerTurn: 16, ...(signal ? { signal } : {}) });
      return true;
    })().catch(() => false);
    return new StagedExport(tmp, layers, copied);
  }

  /**
   * The staged tree and the layers of `layers` still to copy onto it, when `layers` begins with
   * the staged ones and staging worked; else undefined, the staged tree removed.
   */
  async take(layers: readonly string[]): Promise<{ readonly tmp: string; readonly rest: readonly string[] } | undefined> {
    const ok = await this.#copied;
    if (ok && !this.#settled && this.layers.length <= layers.length && this.layers.every((l, i) => l === layers[i])) {
      this.#settled = true;
      return { tmp: this.tmp, rest: layers.slice(this.layers.length) };
    }
    await this.discard();
    return undefined;
  }

  /** Removes the staged tree, once its copy has stopped, unless an export took it. */
  async discard(): Promise<void> {
    await this.#copied;
    if (this.#settled) return;
    this.#settled = true;
    rmSync(this.tmp, { recursive: true, force: true });
  }
}
