import type { SourcePosition, SourceRange } from '../diagnostic.js';

/**
 * A logical line: the physical lines of one instruction joined as BuildKit
 * joins them (continuation escapes removed, comment and blank lines dropped),
 * with a map back to the file so any offset in the joined text has a position.
 */

/** Where a piece of the joined text came from. */
interface Segment {
  /** Offset of the piece in the joined text. */
  readonly offset: number;
  readonly line: number;
  /** Character in the physical line where the piece starts. */
  readonly character: number;
  readonly length: number;
}

/** The joined text of an instruction and its source map. */
export class LogicalLine {
  #text = '';
  readonly #segments: Segment[] = [];

  get text(): string {
    return this.#text;
  }

  /** Appends `text`, found at `character` of 1-based `line`. */
  append(text: string, line: number, character: number): void {
    this.#segments.push({ offset: this.#text.length, line, character, length: text.length });
    this.#text += text;
  }

  /** The position of the character at `offset` (a start position); the end of the text maps after its last character. */
  position(offset: number): SourcePosition {
    for (const s of this.#segments) {
      if (offset >= s.offset && offset < s.offset + s.length) return { line: s.line, character: s.character + (offset - s.offset) };
    }
    const last = this.#segments.at(-1);
    return last ? { line: last.line, character: last.character + last.length } : { line: 1, character: 0 };
  }

  /** The position just after the character before `offset` (an exclusive end position). */
  endPosition(offset: number): SourcePosition {
    if (offset <= 0) return this.position(0);
    const before = this.position(offset - 1);
    return { line: before.line, character: before.character + 1 };
  }

  /** The range of the joined text `[start, end)`. */
  range(start: number, end: number): SourceRange {
    const from = this.position(start);
    return { start: from, end: end <= start ? from : this.endPosition(end) };
  }
}

/** The result of stripping a continuation escape from the end of a line. */
export interface Continuation {
  readonly text: string;
  /** The line ended with the escape: the instruction goes on on the next line. */
  readonly continues: boolean;
}

const CONTINUATION = {
  '\\': /(?:([^\\])|^)\\[ \t]*$/,
  '`': /(?:([^`])|^)`[ \t]*$/,
} as const;

/**
 * BuildKit's `trimContinuationCharacter`: a line continues when it ends with
 * the escape character (spaces and tabs after it allowed) that is not itself
 * escaped by the character before it. BuildKit's regexp cannot tell `\\\` (an
 * escaped escape, then a continuation) from `\\`, and neither can this: both
 * end the instruction.
 */
export function trimContinuation(line: string, escape: string): Continuation {
  const re = escape === '`' ? CONTINUATION['`'] : CONTINUATION['\\'];
  const m = re.exec(line);
  if (!m) return { text: line, continues: false };
  return { text: line.slice(0, m.index) + (m[1] ?? ''), continues: true };
}
