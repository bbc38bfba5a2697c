import { Definition } from '../definition.js';
import type { Digest } from '../digest.js';
import { digestOf } from '../digest.js';
import type { Location, OpMetadata, Source, SourceInfo } from '../generated/ops.js';
import { llbSchema } from '../generated/ops.js';
import { encodeMessage } from '../wire/codec.js';
import { Cap } from './caps.js';
import type { ConstraintsOptions, SourceLocation, SourceMap } from './constraints.js';
import type { State } from './state.js';
import type { Vertex } from './vertex.js';
import { MarshalContext } from './vertex.js';

/**
 * Serializes the graph ending in `state`: depth-first, inputs before their
 * users, each op once, then the terminal op naming the result. Mirrors
 * BuildKit's `State.Marshal`, so the bytes, digests and metadata match.
 */
export function marshalState(state: State, constraints: ConstraintsOptions): Definition {
  const out = state.output();
  if (!out) return new Definition([], {});
  if (out.error) throw out.error;
  const ctx = new MarshalContext(constraints);
  const def: Uint8Array[] = [];
  const metadata: { [digest: string]: OpMetadata } = {};
  const seenDigests = new Set<string>();
  const seenVertices = new Set<Vertex>();
  const sources = new SourceMapCollector();

  // Iterative post-order walk, so deep graphs do not exhaust the stack.
  const stack: { v: Vertex; expanded: boolean }[] = [{ v: out.vertex, expanded: false }];
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (seenVertices.has(top.v)) {
      stack.pop();
      continue;
    }
    if (!top.expanded) {
      top.expanded = true;
      const inputs = top.v.inputs();
      for (let i = inputs.length - 1; i >= 0; i--) if (!seenVertices.has(inputs[i]!.vertex)) stack.push({ v: inputs[i]!.vertex, expanded: false });
      continue;
    }
    stack.pop();
    seenVertices.add(top.v);
    const m = ctx.marshal(top.v);
    metadata[m.digest] = mergeMetadata(metadata[m.digest], m.metadata);
    sources.add(m.digest, m.sourceLocations);
    if (!seenDigests.has(m.digest)) {
      seenDigests.add(m.digest);
      def.push(m.bytes);
    }
  }

  const terminal = encodeMessage(llbSchema, 'Op', { inputs: [ctx.input(out)] });
  def.push(terminal);
  const caps: { [cap: string]: boolean } = { [Cap.constraints]: true, [Cap.platform]: true };
  for (const md of Object.values(metadata)) {
    if (md.ignore_cache) caps[Cap.metaIgnoreCache] = true;
    if (md.description) caps[Cap.metaDescription] = true;
    if (md.export_cache) caps[Cap.metaExportCache] = true;
  }
  metadata[digestOf(terminal)] = { caps };
  return new Definition(def, metadata, sources.marshal());
}

function mergeMetadata(a: OpMetadata | undefined, b: OpMetadata): OpMetadata {
  if (!a) return b;
  return {
    ...a,
    ...(b.ignore_cache ? { ignore_cache: true } : {}),
    ...(b.description ? { description: { ...a.description, ...b.description } } : {}),
    ...(b.export_cache ? { export_cache: b.export_cache } : {}),
    caps: { ...a.caps, ...b.caps },
    ...(b.progress_group ? { progress_group: b.progress_group } : {}),
  };
}

/** Collects build-file locations per op digest and numbers the files they point into. */
class SourceMapCollector {
  readonly #maps: SourceMap[] = [];
  readonly #locations = new Map<Digest, SourceLocation[]>();

  add(digest: Digest, locations: readonly SourceLocation[]): void {
    for (const l of locations) if (this.#indexOf(l.sourceMap) < 0) this.#maps.push(l.sourceMap);
    this.#locations.set(digest, [...(this.#locations.get(digest) ?? []), ...locations]);
  }

  #indexOf(m: SourceMap): number {
    return this.#maps.findIndex((x) => x === m || (x.filename === m.filename && x.language === m.language && sameBytes(x.data, m.data)));
  }

  marshal(): Source {
    const infos: SourceInfo[] = this.#maps.map((m) => ({ filename: m.filename, ...(m.data ? { data: m.data } : {}), ...(m.language ? { language: m.language } : {}) }));
    const locations: { [digest: string]: { locations: Location[] } } = {};
    for (const [digest, locs] of this.#locations) {
      locations[digest] = {
        locations: locs.map((l) => ({
          sourceIndex: this.#indexOf(l.sourceMap),
          ranges: l.ranges.map((r) => ({ start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } })),
        })),
      };
    }
    return { locations, infos };
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
