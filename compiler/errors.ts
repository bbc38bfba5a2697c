/**
 * The base of every failure kiln raises on purpose.
 *
 * `code` is stable and meant for tests and programs; `message` is for people.
 * Wrappers pass the original error as `cause`, so nothing is lost on the way up.
 */
export class KilnError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bytes that are not a valid protobuf encoding of the expected message. */
export class ProtoDecodeError extends KilnError {
  /**
   * Byte offset where decoding failed, within the message being decoded; for an
   * op of a Definition, within that op's bytes (`path` starts `Definition.def[i]`).
   */
  readonly offset: number;
  /** Field path from the outermost message, e.g. `Definition.def[2] > Op.exec > ExecOp.mounts[0]`. */
  readonly path: string;
  /** What is wrong, without the position. */
  readonly detail: string;

  constructor(code: string, detail: string, offset: number, path: string) {
    super(code, `${detail} at byte ${offset}${path ? ` in ${path}` : ''}`);
    this.offset = offset;
    this.path = path;
    this.detail = detail;
  }
}

/** A graph that decodes but breaks LLB's rules (dangling input, cycle, no terminal op…). */
export class LlbValidationError extends KilnError {
  /** Index in `Definition.def` of the offending op, when one is to blame. */
  readonly opIndex: number | undefined;
  readonly digest: string | undefined;

  constructor(code: string, message: string, where?: { opIndex?: number; digest?: string }, options?: { cause?: unknown }) {
    super(code, where?.opIndex !== undefined ? `op ${where.opIndex}${where.digest ? ` (${where.digest})` : ''}: ${message}` : message, options);
    this.opIndex = where?.opIndex;
    this.digest = where?.digest;
  }
}
