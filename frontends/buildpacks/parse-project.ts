import type { ErrorObject } from 'ajv';
import { parse, TomlError } from 'smol-toml';
import { DiagnosticError } from '../../compiler/index.js';
import type { Diagnostic, SourceRange } from '../../grammars/diagnostic.js';
import schema from '../../grammars/project.schema.json' with { type: 'json' };
import { errorPath, schemaValidator } from '../json-schema.js';

/** One buildpack of a group: by id (then `uri` says where) or by `uri` alone. */
export interface GroupEntry {
  readonly id?: string;
  readonly version?: string;
  readonly uri?: string;
  readonly optional?: boolean;
}

/** What kiln reads of a project.toml. */
export interface Project {
  readonly id?: string;
  readonly builder?: string;
  readonly include?: readonly string[];
  readonly exclude?: readonly string[];
  /** pre-group, group and post-group, in order. */
  readonly group: readonly GroupEntry[];
  readonly buildEnv: readonly { readonly name: string; readonly value: string }[];
}

const validator = schemaValidator<Record<string, unknown>>(schema);

/**
 * Where a key is written: TOML parsers keep no positions, so the key (or the table header
 * holding it) is found in the text, within the table its path names. Good enough to point at
 * the line of a mistake; the first line when nothing matches.
 */
function locate(text: string, path: readonly (string | number)[]): SourceRange {
  const lines = text.split('\n');
  const names = path.filter((p): p is string => typeof p === 'string');
  for (let n = names.length; n > 0; n--) {
    const key = names[n - 1]!;
    const re = new RegExp(`^\\s*(\\[\\[?[^\\]]*\\b${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\]\\]?|"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?\\s*=)`);
    const i = lines.findIndex((l) => re.test(l));
    if (i >= 0) {
      const col = lines[i]!.search(/\S/);
      return { start: { line: i + 1, character: col }, end: { line: i + 1, character: lines[i]!.trimEnd().length } };
    }
  }
  return { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } };
}

function describe(e: ErrorObject): string {
  const where = e.instancePath ? e.instancePath.slice(1).replace(/\//g, '.') : 'project.toml';
  if (e.keyword === 'additionalProperties') return `unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)} in ${where}`;
  if (e.keyword === 'required') return `${where} needs ${JSON.stringify((e.params as { missingProperty: string }).missingProperty)}`;
  return `${where} ${e.message ?? 'is invalid'}`;
}

/**
 * Parses a project descriptor (`project.toml`, CNB project descriptor schema 0.2): TOML errors
 * and schema violations are diagnostics with line and column; `include` with `exclude` is an
 * error, as the spec says.
 *
 * @throws DiagnosticError
 */
export function parseProject(text: string, filename: string): Project {
  let doc: Record<string, unknown>;
  try {
    doc = parse(text) as Record<string, unknown>;
  } catch (err) {
    if (!(err instanceof TomlError)) throw err;
    const d: Diagnostic = {
      id: 'buildpacks/toml', severity: 'error', message: err.message.split('\n')[0]!.replace(/^Invalid TOML document: /, ''),
      range: { start: { line: err.line, character: Math.max(0, err.column - 1) }, end: { line: err.line, character: err.column } },
    };
    throw new DiagnosticError([d], filename, text);
  }
  const validate = validator();
  if (!validate(doc)) {
    const diagnostics: Diagnostic[] = (validate.errors ?? []).filter((e) => e.keyword !== 'anyOf').map((e) => {
      const path = errorPath(e);
      return { id: `buildpacks/schema-${e.keyword}`, severity: 'error', message: describe(e), range: locate(text, path) };
    });
    throw new DiagnosticError(diagnostics.length ? diagnostics : [{ id: 'buildpacks/schema', severity: 'error', message: 'project.toml does not match the project descriptor schema', range: locate(text, []) }], filename, text);
  }
  const bp = ((doc.io as Record<string, unknown> | undefined)?.buildpacks ?? {}) as {
    builder?: string; include?: string[]; exclude?: string[]; group?: GroupEntry[];
    pre?: { group?: GroupEntry[] }; post?: { group?: GroupEntry[] }; build?: { env?: { name: string; value: string }[] };
  };
  if (bp.include && bp.exclude) {
    throw new DiagnosticError([{ id: 'buildpacks/include-and-exclude', severity: 'error', message: 'io.buildpacks has both include and exclude: use one', range: locate(text, ['exclude']), hint: 'include lists what is sent; exclude, what is not' }], filename, text);
  }
  const group = [...(bp.pre?.group ?? []), ...(bp.group ?? []), ...(bp.post?.group ?? [])];
  if (group.length === 0) {
    throw new DiagnosticError([{ id: 'buildpacks/no-group', severity: 'error', message: 'project.toml names no buildpacks ([[io.buildpacks.group]])', range: locate(text, ['buildpacks']) }], filename, text);
  }
  const id = (doc._ as { id?: string } | undefined)?.id;
  return {
    ...(id ? { id } : {}),
    ...(bp.builder ? { builder: bp.builder } : {}),
    ...(bp.include ? { include: bp.include } : {}),
    ...(bp.exclude ? { exclude: bp.exclude } : {}),
    group,
    buildEnv: bp.build?.env ?? [],
  };
}
