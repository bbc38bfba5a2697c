import type { ErrorObject } from 'ajv';
import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import { DiagnosticError } from '../../compiler/index.js';
import type { Diagnostic, SourceRange } from '../../grammars/diagnostic.js';
import schema from '../../grammars/mockerfile.schema.json' with { type: 'json' };
import { errorPath, schemaValidator } from '../json-schema.js';

/** One image of a Mockerfile, as the schema allows it. */
export interface MockerImage {
  readonly name: string;
  readonly from?: string;
  readonly parent?: string;
  readonly package?: { readonly repo?: readonly string[]; readonly gpg?: readonly string[]; readonly install?: readonly string[] };
  readonly external?: readonly { readonly src: string; readonly dst: string; readonly sha256: string; readonly install?: readonly string[] }[];
  readonly workdir?: string;
  readonly env?: { readonly [k: string]: string | number | boolean };
  readonly user?: string;
  readonly steps?: readonly string[];
  readonly cmd?: string | readonly string[];
  readonly entrypoint?: string | readonly string[];
}

export interface Mockerfile {
  readonly apiVersion: 'v1alpha1';
  readonly images: readonly MockerImage[];
}

/** A parsed Mockerfile with where each part of it is, for located errors later on. */
export interface ParsedMockerfile {
  readonly file: Mockerfile;
  /** The range of the value at a path (`['images', 1, 'parent']`), or the closest enclosing one. */
  rangeOf(path: readonly (string | number)[], atKey?: boolean): SourceRange;
}

const validator = schemaValidator<Mockerfile>(schema);

function rangeFinder(doc: Document, lines: LineCounter, text: string) {
  const pos = (offset: number) => {
    const p = lines.linePos(Math.min(offset, text.length));
    return { line: p.line, character: p.col - 1 };
  };
  return (path: readonly (string | number)[], atKey = false): SourceRange => {
    if (atKey && path.length > 0) {
      // The key itself (an unknown key is wrong where it is written, not where its value is).
      const map = doc.getIn(path.slice(0, -1), true);
      const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === path.at(-1)) : undefined;
      if (pair && isNode(pair.key) && pair.key.range) return { start: pos(pair.key.range[0]), end: pos(pair.key.range[1]) };
    }
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) {
        // A map or list spans lines: point at its first line only.
        const [start, valueEnd] = node.range;
        const eol = text.indexOf('\n', start);
        return { start: pos(start), end: pos(Math.min(valueEnd, eol < 0 ? text.length : eol)) };
      }
    }
    return { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
  };
}

function messageOf(e: ErrorObject): { message: string; hint?: string } {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'the file';
  switch (e.keyword) {
    case 'additionalProperties':
      return { message: `unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)} in ${where}`, hint: 'see grammars/mockerfile.schema.json for the keys an image takes' };
    case 'required':
      return { message: `${where} needs ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}` };
    case 'pattern':
      return { message: `${where} does not match ${(e.params as { pattern: string }).pattern}` };
    case 'enum':
      return { message: `${where} must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
    default:
      return { message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

/**
 * Parses and checks a Mockerfile: YAML syntax errors and schema violations become
 * diagnostics with the YAML line and column (and the line with a caret when rendered).
 *
 * @throws DiagnosticError with every problem found.
 */
export function parseMockerfile(text: string, filename: string): ParsedMockerfile {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const rangeOf = rangeFinder(doc, lines, text);
  if (doc.errors.length > 0) {
    const diagnostics: Diagnostic[] = doc.errors.map((e) => {
      const p = lines.linePos(e.pos[0]);
      return { id: 'mockerfile/yaml', severity: 'error', message: e.message.split('\n')[0]!, range: { start: { line: p.line, character: p.col - 1 }, end: { line: p.line, character: p.col } } };
    });
    throw new DiagnosticError(diagnostics, filename, text);
  }
  const value: unknown = doc.toJS();
  const validate = validator();
  if (!validate(value)) {
    // The most specific error per path: ajv reports oneOf's alternatives too.
    const seen = new Set<string>();
    const diagnostics: Diagnostic[] = [];
    for (const e of validate.errors ?? []) {
      if (e.keyword === 'oneOf' || e.keyword === 'if') continue;
      const path = errorPath(e);
      const key = path.join('/');
      if (seen.has(key)) continue;
      seen.add(key);
      const { message, hint } = messageOf(e);
      diagnostics.push({ id: `mockerfile/schema-${e.keyword}`, severity: 'error', message, range: rangeOf(path, e.keyword === 'additionalProperties'), ...(hint ? { hint } : {}) });
    }
    throw new DiagnosticError(diagnostics, filename, text);
  }
  return { file: value as Mockerfile, rangeOf };
}
