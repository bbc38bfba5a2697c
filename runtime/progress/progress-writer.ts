import type { ProgressEvent } from '../solver/types.js';

/** Something that shows a build's progress events to a person or a program. */
export interface ProgressWriter {
  write(e: ProgressEvent): void;
  /** Flushes and stops (final tty frame, timers cleared). */
  close(): void;
}

/** What each vertex has shown so far: its number, name, state and every log line. */
export interface VertexProgress {
  readonly n: number;
  name: string;
  started?: number;
  completed?: number;
  cached: boolean;
  error?: string;
  /** Full logs, kept even where a view clips them. */
  readonly logs: string[];
}

/** Assigns vertex numbers in the order vertices first appear, as BuildKit's `#N`. */
export class ProgressState {
  readonly vertices = new Map<string, VertexProgress>();
  readonly startTime: number;

  constructor(startTime = Date.now()) {
    this.startTime = startTime;
  }

  apply(e: ProgressEvent): VertexProgress {
    let v = this.vertices.get(e.vertex);
    if (!v) {
      v = { n: this.vertices.size + 1, name: 'name' in e ? e.name : e.vertex, cached: false, logs: [] };
      this.vertices.set(e.vertex, v);
    }
    switch (e.kind) {
      case 'started':
        v.started = e.time;
        v.name = e.name;
        break;
      case 'cached':
        v.cached = true;
        v.name = e.name;
        v.completed = e.time;
        break;
      case 'done':
        v.completed = e.time;
        break;
      case 'error':
        v.completed = e.time;
        v.error = e.message;
        break;
      case 'log':
        v.logs.push(e.line);
        break;
    }
    return v;
  }

  /** The last `n` log lines of a vertex, for error reports. */
  tail(vertex: string, n = 20): string[] {
    return this.vertices.get(vertex)?.logs.slice(-n) ?? [];
  }
}

/** Seconds with one decimal, as BuildKit prints durations. */
export function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
}
