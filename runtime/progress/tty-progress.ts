import type { ProgressEvent } from '../solver/types.js';
import type { ProgressWriter, VertexProgress } from './progress-writer.js';
import { ProgressState, seconds } from './progress-writer.js';

const LOG_TAIL = 6;

/**
 * BuildKit's live tty view: a header with the elapsed time and step counts,
 * one line per step with its timer (`CACHED` / `DONE` / `ERROR`), the running
 * steps' last log lines under them, collapsed once a step is done. Redrawn in
 * place on events and on a timer.
 */
export class TtyProgress implements ProgressWriter {
  readonly state = new ProgressState();
  readonly #out: NodeJS.WriteStream;
  readonly #timer: NodeJS.Timeout;
  #lines = 0;

  constructor(out: NodeJS.WriteStream = process.stderr) {
    this.#out = out;
    this.#timer = setInterval(() => this.#render(), 150);
    this.#timer.unref();
  }

  write(e: ProgressEvent): void {
    this.state.apply(e);
    this.#render();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#render(true);
  }

  #render(final = false): void {
    const now = Date.now();
    const all = [...this.state.vertices.values()];
    const done = all.filter((v) => v.completed !== undefined).length;
    const width = Math.max(40, this.#out.columns || 100);
    const lines = [`[+] Building ${seconds(now - this.state.startTime)} (${done}/${all.length})${final ? ' FINISHED' : ''}`];
    for (const v of all) {
      lines.push(clip(` => ${v.name}${' '}${status(v, now)}`, width));
      if (v.completed === undefined && v.logs.length) for (const l of v.logs.slice(-LOG_TAIL)) lines.push(clip(` => => # ${l}`, width));
    }
    const up = this.#lines ? `\x1b[${this.#lines}F` : '';
    this.#out.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n\x1b[J`);
    this.#lines = lines.length;
  }
}

function status(v: VertexProgress, now: number): string {
  if (v.cached) return 'CACHED';
  if (v.error) return 'ERROR';
  if (v.started === undefined) return '';
  return seconds((v.completed ?? now) - v.started);
}

function clip(line: string, width: number): string {
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}
