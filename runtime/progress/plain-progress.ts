import type { ProgressEvent } from '../solver/types.js';
import type { ProgressWriter } from './progress-writer.js';
import { ProgressState, seconds } from './progress-writer.js';

/**
 * BuildKit's `--progress=plain`: numbered steps, their log lines with the time
 * since the step started, `CACHED`, `DONE 0.3s`, `ERROR: …`; full logs.
 */
export class PlainProgress implements ProgressWriter {
  readonly state: ProgressState;
  readonly #out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream = process.stderr, state = new ProgressState()) {
    this.#out = out;
    this.state = state;
  }

  write(e: ProgressEvent): void {
    const v = this.state.apply(e);
    const tag = `#${v.n}`;
    switch (e.kind) {
      case 'started':
        this.#out.write(`${tag} ${e.name}\n`);
        break;
      case 'cached':
        this.#out.write(`${tag} ${e.name}\n${tag} CACHED\n\n`);
        break;
      case 'log':
        this.#out.write(`${tag} ${((e.time - (v.started ?? e.time)) / 1000).toFixed(3)} ${e.line}\n`);
        break;
      case 'done':
        this.#out.write(`${tag} DONE ${seconds(e.time - (v.started ?? e.time))}\n\n`);
        break;
      case 'error':
        this.#out.write(`${tag} ERROR: ${e.message}\n\n`);
        break;
    }
  }

  close(): void {}
}

/** `--progress=rawjson`: one JSON object per event and line. */
export class RawJsonProgress implements ProgressWriter {
  readonly state = new ProgressState();
  readonly #out: NodeJS.WritableStream;

  constructor(out: NodeJS.WritableStream = process.stderr) {
    this.#out = out;
  }

  write(e: ProgressEvent): void {
    this.state.apply(e);
    this.#out.write(`${JSON.stringify(e)}\n`);
  }

  close(): void {}
}
