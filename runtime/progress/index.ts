// Progress output: BuildKit's tty, plain and rawjson views of solver events.
import { PlainProgress, RawJsonProgress } from './plain-progress.js';
import type { ProgressWriter } from './progress-writer.js';
import { TtyProgress } from './tty-progress.js';

export { PlainProgress, RawJsonProgress } from './plain-progress.js';
export { ProgressState, seconds } from './progress-writer.js';
export type { ProgressWriter, VertexProgress } from './progress-writer.js';
export { TtyProgress } from './tty-progress.js';

/** The writer for `--progress auto|tty|plain|rawjson` (auto: tty when stderr is a terminal). */
export function progressWriter(mode: 'auto' | 'tty' | 'plain' | 'rawjson', out: NodeJS.WriteStream = process.stderr): ProgressWriter {
  if (mode === 'rawjson') return new RawJsonProgress(out);
  if (mode === 'tty' || (mode === 'auto' && out.isTTY)) return new TtyProgress(out);
  return new PlainProgress(out);
}
