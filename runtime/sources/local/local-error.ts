import { KilnError } from '../../../compiler/index.js';

/**
 * A failure of the `local://` source: a bad source attribute (`local/bad-attr`), a context
 * that is not a directory (`local/not-a-directory`), an unreadable entry (`local/read-failed`)
 * or a failed copy into the snapshot (`local/sync-failed`). The file-system error is the `cause`.
 */
export class LocalSourceError extends KilnError {
  /** The path concerned, relative to the context (or the destination for sync failures) when one is to blame. */
  readonly path: string | undefined;

  constructor(code: string, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}
