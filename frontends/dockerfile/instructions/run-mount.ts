import type { RunMount } from './commands.js';
import { csvFields } from './csv-fields.js';
import { didYouMean, failure, isFailure, wrapFailure, type Failure } from './failure.js';
import { goParseBool, goParseUint, ramInBytes } from './go-strconv.js';

/**
 * `RUN --mount=type=…,…`: BuildKit's `commands_runmount.go`. A mount is a CSV
 * list of `key=value` options (and bare `ro`/`rw`/`required`), validated with
 * BuildKit's defaults: bind and secret and ssh mounts read-only unless `rw`,
 * cache and tmpfs read-write; `mode`/`uid`/`gid` only on cache, secret, ssh.
 */

/** Expands one word (`$VAR`) in a stage's environment; conversion supplies it. */
export type WordExpander = (word: string) => string | Failure;

type MountType = RunMount['type'];
type Sharing = NonNullable<RunMount['cacheSharing']>;
type Draft = { -readonly [K in keyof RunMount]: RunMount[K] };

const MOUNT_TYPES: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const SHARING_MODES: readonly Sharing[] = ['shared', 'private', 'locked'];
const ALL_KEYS = ['type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid',
  'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env'];

const invalid = (message: string, hint?: string): Failure => failure('invalid-mount', message, hint);
const isMountType = (v: string): v is MountType => (MOUNT_TYPES as readonly string[]).includes(v);
const isSharing = (v: string): v is Sharing => (SHARING_MODES as readonly string[]).includes(v);
const takesRequired = (t: MountType): boolean => t === 'secret' || t === 'ssh';

/**
 * Parses one `--mount` value. With `expand` (conversion), every value is
 * expanded first, as BuildKit's `RunCommand.Expand`. Without it (instruction
 * parsing), values are literal, except that a value holding `$` is deferred:
 * kept raw for string options, left unset for typed ones, with `deferred` set.
 *
 * @example
 * parseMount('type=cache,target=/root/.cache,sharing=locked')
 * // { type: 'cache', target: '/root/.cache', cacheSharing: 'locked', readOnly: false, … }
 */
export function parseMount(spec: string, expand?: WordExpander): RunMount | Failure {
  const fields = csvFields(spec);
  if (isFailure(fields)) return wrapFailure({ ...fields, slug: 'invalid-mount' }, 'failed to parse csv mounts');

  const m: Draft = { type: 'bind', readOnly: false, readOnlyExplicit: false, required: false, spec };
  let typeDeferred = false;
  let deferred = false;
  const typeAllows = (key: string, allowed: boolean): Failure | undefined =>
    typeDeferred || allowed ? undefined : invalid(`unexpected key '${key}' for mount type '${m.type}'`);

  for (const field of fields) {
    const eq = field.indexOf('=');
    const key = (eq < 0 ? field : field.slice(0, eq)).toLowerCase();
    if (eq < 0) {
      switch (key) {
        case 'readonly': case 'ro':
          m.readOnly = true;
          m.readOnlyExplicit = true;
          continue;
        case 'readwrite': case 'rw':
          m.readOnly = false;
          m.readOnlyExplicit = true;
          continue;
        case 'required': {
          const problem = typeAllows(key, takesRequired(m.type));
          if (problem) return problem;
          m.required = true;
          continue;
        }
        default:
          return invalid(`invalid field '${field}' must be a key=value pair`);
      }
    }

    let value = field.slice(eq + 1);
    let literal = true;
    if (expand) {
      const expanded = expand(value);
      if (isFailure(expanded)) return expanded;
      value = expanded;
    } else {
      const dollar = value.indexOf('$');
      if (key === 'from' && dollar !== -1 && dollar !== value.length - 1) {
        return invalid(`'${key}' doesn't support variable expansion, define alias stage instead`);
      }
      literal = dollar === -1;
      if (!literal) deferred = true;
    }

    const problem = applyOption(m, key, field, value, literal, typeAllows);
    if (problem === 'type-deferred') typeDeferred = true;
    else if (problem) return problem;
  }

  if (deferred) m.deferred = true;
  return typeDeferred ? m : validate(m);
}

/** Sets one `key=value`; typed values that are not literal are skipped. */
function applyOption(m: Draft, key: string, field: string, value: string, literal: boolean,
  typeAllows: (key: string, allowed: boolean) => Failure | undefined): Failure | 'type-deferred' | undefined {
  const typed = (parse: () => Failure | undefined): Failure | undefined => (literal ? parse() : undefined);
  switch (key) {
    case 'type':
      if (!literal) return 'type-deferred';
      if (!isMountType(value.toLowerCase())) return invalid(`unsupported mount type "${value}"`, didYouMean(value, MOUNT_TYPES, true));
      m.type = value.toLowerCase() as MountType;
      return undefined;
    case 'from': m.from = value || undefined; return undefined;
    case 'source': case 'src': m.source = value || undefined; return undefined;
    case 'target': case 'dst': case 'destination': m.target = value || undefined; return undefined;
    case 'id': m.cacheId = value || undefined; return undefined;
    case 'env': m.env = value; return undefined;
    case 'readonly': case 'ro': case 'readwrite': case 'rw':
      m.readOnlyExplicit = true;
      return typed(() => {
        const b = goParseBool(value);
        if (b === undefined) return invalid(`invalid value for ${key}: ${value}`);
        m.readOnly = key === 'readonly' || key === 'ro' ? b : !b;
        return undefined;
      });
    case 'required':
      return typeAllows(key, takesRequired(m.type)) ?? typed(() => {
        const b = goParseBool(value);
        if (b === undefined) return invalid(`invalid value for ${key}: ${value}`);
        m.required = b;
        return undefined;
      });
    case 'size':
      return typeAllows(key, m.type === 'tmpfs') ?? typed(() => {
        const size = ramInBytes(value);
        if (size === undefined) return invalid(`invalid value for ${key}: ${value}`);
        m.sizeLimit = size;
        return undefined;
      });
    case 'sharing':
      return typed(() => {
        const v = value.toLowerCase();
        if (!isSharing(v)) return invalid(`unsupported sharing value "${value}"`, didYouMean(value, SHARING_MODES, true));
        m.cacheSharing = v;
        return undefined;
      });
    case 'mode': case 'uid': case 'gid':
      return typed(() => {
        const n = goParseUint(value, key === 'mode' ? 8 : 10, 32);
        if (isFailure(n)) return invalid(`invalid value ${value} for ${key}`);
        m[key] = n;
        return undefined;
      });
    default:
      return invalid(`unexpected key '${key}' in '${field}'`, didYouMean(key, ALL_KEYS, true));
  }
}

/** BuildKit's checks across options, once the type is known. */
function validate(m: Draft): RunMount | Failure {
  const fileInfoAllowed = m.type === 'secret' || m.type === 'ssh' || m.type === 'cache';
  if (!fileInfoAllowed) {
    for (const key of ['mode', 'uid', 'gid'] as const) {
      if (m[key] !== undefined) return invalid(`${key} not allowed for "${m.type}" type mounts`);
    }
  }
  if (!m.readOnlyExplicit) m.readOnly = !(m.type === 'cache' || m.type === 'tmpfs');
  if (m.type === 'secret') {
    if (m.from !== undefined) return invalid('secret mount should not have a from');
    if (m.cacheSharing !== undefined) return invalid('secret mount should not define sharing');
    if (m.source === undefined && m.target === undefined && m.cacheId === undefined) {
      return invalid('invalid secret mount. one of source, target required');
    }
    if (m.source !== undefined && m.cacheId !== undefined) return invalid("both source and id can't be set");
  }
  if (m.cacheSharing !== undefined && m.type !== 'cache') return invalid(`invalid cache sharing set for ${m.type} mount`);
  return m;
}
