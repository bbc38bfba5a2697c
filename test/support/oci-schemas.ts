import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ajvDraft04 from 'ajv-draft-04';
import type { ValidateFunction } from 'ajv-draft-04';
import { corpusDir } from './corpus.js';

// A CommonJS module whose `module.exports` is the class and whose `.default` is it too:
// `.default` is the one spelling both TypeScript (NodeNext) and Node's ESM loader agree on.
const Ajv = ajvDraft04.default;

// The OCI image-spec JSON schemas (draft-04) from the shared corpus, compiled with ajv the
// way image-spec's own Go validator (schema/validator.go, gojsonschema) reads them.

/** The corpus's index.json: which schema serves which mediaType, and the $ref aliases. */
export interface OciSpecIndex {
  readonly schemaForMediaType: { readonly [mediaType: string]: string };
  readonly schemaAliases: { readonly [file: string]: readonly string[] };
  readonly tableFixtures: readonly { file: string; mediaType: string; expectValid: boolean; comment: string }[];
  readonly specExamples: readonly { file: string; mediaType: string; expectValid: boolean }[];
  readonly dockerCompat: {
    readonly mediaTypeMap: { readonly [docker: string]: string };
    readonly cases: readonly { file: string; validateAs: string; expectValidAfterConversion: boolean }[];
  };
}

/** What `validate` found wrong with a document: empty when it is valid. */
export type OciProblems = string[];

export interface OciValidator {
  /** The corpus folder the schemas came from. */
  readonly dir: string;
  readonly index: OciSpecIndex;
  /** Validates a document (parsed, or its raw JSON text) as `mediaType`. */
  validate(mediaType: string, doc: unknown): OciProblems;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const NAMED = new Set(['properties', 'patternProperties', 'definitions']);

/**
 * Drops `id` where draft-04 ignores it: beside a `$ref` ("all other properties in a $ref
 * object MUST be ignored"), and on nested subschemas, which the OCI schemas use as labels
 * only (no $ref targets them). ajv would otherwise re-base the `$ref`s below them onto
 * URLs (…/manifest/defs-descriptor.json) no schema is served under.
 */
function labelsStripped(node: Json, top = true): Json {
  if (Array.isArray(node)) return node.map((n) => labelsStripped(n, false));
  if (node === null || typeof node !== 'object') return node;
  const out: { [k: string]: Json } = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'id' && typeof v === 'string' && !top) continue;
    // Under these the keys are names, not keywords: keep them all.
    out[k] = NAMED.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([p, s]) => [p, labelsStripped(s, false)]))
      : labelsStripped(v, false);
  }
  return out;
}

/** RFC 3339 date-time, as Go's time.Parse(time.RFC3339) takes it (gojsonschema's `date-time`). */
function isDateTime(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));
}

/** A URI with a scheme (gojsonschema's `uri`: url.Parse and an absolute URL). */
function isUri(s: string): boolean {
  try {
    return new URL(s).protocol.length > 1;
  } catch {
    return false;
  }
}

const DIGEST_HEX_LENGTH: { readonly [alg: string]: number } = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * go-digest's Digest.Validate as validator.go applies it to a descriptor: known algorithms
 * need lowercase hex of the right length; unknown ones are let through (a warning in Go).
 */
export function digestProblem(digest: unknown): string | undefined {
  if (typeof digest !== 'string') return `digest ${JSON.stringify(digest)} is not a string`;
  const i = digest.indexOf(':');
  if (i <= 0 || i + 1 === digest.length) return `digest ${JSON.stringify(digest)}: invalid format`;
  const len = DIGEST_HEX_LENGTH[digest.slice(0, i)];
  if (len === undefined) return undefined;
  if (!new RegExp(`^[a-f0-9]{${len}}$`).test(digest.slice(i + 1))) return `digest ${JSON.stringify(digest)}: invalid ${digest.slice(0, i)} encoding`;
  return undefined;
}

/** What validator.go checks beyond the schema (and Go's json.Unmarshal into []byte for `data`). */
function goChecks(mediaType: string, doc: unknown): OciProblems {
  if (doc === null || typeof doc !== 'object') return [];
  const d = doc as { [k: string]: unknown };
  if (mediaType === 'application/vnd.oci.descriptor.v1+json') {
    const problems: string[] = [];
    const p = digestProblem(d.digest);
    if (p) problems.push(p);
    if (typeof d.data === 'string' && !/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(d.data)) problems.push('data is not padded base64');
    return problems;
  }
  if (mediaType === 'application/vnd.oci.image.config.v1+json') {
    const env = (d.config as { Env?: unknown } | undefined)?.Env;
    if (Array.isArray(env)) return env.filter((e) => typeof e === 'string' && !/^[^=]+=.*$/.test(e)).map((e) => `unexpected env: ${JSON.stringify(e)}`);
  }
  return [];
}

/** Compiles the corpus's schemas once: one validator per mediaType in `schemaForMediaType`. */
export function ociValidator(dir: string = corpusDir('oci-image-spec')): OciValidator {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as OciSpecIndex;
  // strict: false for the schemas' non-standard annotation keywords (`media`); formats are
  // asserted, as gojsonschema does.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  ajv.addFormat('date-time', isDateTime);
  ajv.addFormat('uri', isUri);
  const byFile = new Map<string, Json>();
  for (const file of new Set([...Object.keys(index.schemaAliases), ...Object.values(index.schemaForMediaType).map((f) => f.replace(/^schema\//, ''))])) {
    byFile.set(file, labelsStripped(JSON.parse(readFileSync(join(dir, 'schema', file), 'utf8')) as Json));
  }
  // Every file is served under each URL schema.go's loader answers for it: a copy per alias,
  // its `id` set to that URL, so relative `$ref`s resolve the way they do in Go.
  for (const [file, schema] of byFile) {
    const own = (schema as { id?: string }).id;
    for (const url of new Set([...(own ? [own] : []), ...(index.schemaAliases[file] ?? [])])) {
      ajv.addSchema({ ...(schema as object), id: url });
    }
  }
  const compiled = new Map<string, ValidateFunction>();
  for (const [mediaType, path] of Object.entries(index.schemaForMediaType)) {
    const file = path.replace(/^schema\//, '');
    const schema = byFile.get(file) as { id?: string };
    const url = schema.id ?? index.schemaAliases[file]?.[0];
    const fn = url ? ajv.getSchema(url) : undefined;
    if (!fn) throw new Error(`no schema for ${mediaType} (${path})`);
    compiled.set(mediaType, fn);
  }
  return {
    dir,
    index,
    validate(mediaType, doc) {
      const fn = compiled.get(mediaType);
      if (!fn) return [`no schema for mediaType ${mediaType}`];
      let value = doc;
      if (typeof doc === 'string' || doc instanceof Uint8Array) {
        try {
          value = JSON.parse(typeof doc === 'string' ? doc : Buffer.from(doc).toString('utf8'));
        } catch (err) {
          return [`not JSON: ${(err as Error).message}`];
        }
      }
      const problems = fn(value) ? [] : (fn.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`);
      return [...problems, ...goChecks(mediaType, value)];
    },
  };
}
