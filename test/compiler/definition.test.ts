import { Definition } from '../../compiler/definition.js';
import { thrownBy } from '../support/errors.js';
import { digestOf } from '../../compiler/digest.js';
import { LlbValidationError, ProtoDecodeError } from '../../compiler/errors.js';
import type { Op } from '../../compiler/generated/ops.js';
import { llbSchema, MountType } from '../../compiler/generated/ops.js';
import { findCycle, opKind, outputCount } from '../../compiler/validate.js';
import { encodeMessage } from '../../compiler/wire/codec.js';

// Building blocks: ops encoded by hand, digests computed from their bytes.

const op = (value: Op) => encodeMessage(llbSchema, 'Op', value);
const digest = (bytes: Uint8Array) => digestOf(bytes);
/** The terminal op: no kind, one input naming the result. */
const terminal = (of: Uint8Array, index = 0) => op({ inputs: [{ digest: digest(of), ...(index ? { index } : {}) }] });
const image = op({ source: { identifier: 'docker-image://docker.io/library/alpine:latest' } });
const local = op({ source: { identifier: 'local://context' } });

/** Marshals a Definition from op bytes and reads it back, as a caller would get it. */
function definition(...ops: Uint8Array[]): Definition {
  return Definition.unmarshal(encodeMessage(llbSchema, 'Definition', { def: ops }));
}

function exec(inputs: Uint8Array[], mounts: object[], args = ['sh', '-c', 'true']): Uint8Array {
  return op({ inputs: inputs.map((i) => ({ digest: digest(i) })), exec: { meta: { args, cwd: '/' }, mounts } });
}

function file(inputs: Uint8Array[], actions: object[]): Uint8Array {
  return op({ inputs: inputs.map((i) => ({ digest: digest(i) })), file: { actions } });
}

/** Runs validate() expecting an LlbValidationError, and returns it. */
function validationError(def: Definition): LlbValidationError {
  return thrownBy(LlbValidationError, () => def.validate());
}

describe('Definition', () => {
  describe('valid graphs', () => {
    it('accepts a source and its terminal op', () => {
      const def = definition(image, terminal(image));
      expect(() => def.validate()).not.toThrow();
      expect(def.head()).toEqual({ digest: digest(image), index: 0 });
      expect(def.ops().map((o) => o.digest)).toEqual([digest(image), digest(terminal(image))]);
    });

    it('accepts an exec with a root mount and an extra output, and a file op chaining its actions', () => {
      const run = exec([image, local], [
        { input: 0, dest: '/', output: 0 },
        { input: 1, dest: '/src', output: -1, readonly: true },
        { input: -1, dest: '/out', output: 1 },
        { input: -1, dest: '/cache', output: -1, mountType: MountType.CACHE, cacheOpt: { ID: 'c' } },
      ]);
      const copy = file([run, local], [
        { input: 0, secondaryInput: 1, output: -1, copy: { src: '/', dest: '/app' } },
        { input: 2, secondaryInput: -1, output: 0, mkdir: { path: '/app/tmp', mode: 0o755 } },
      ]);
      const def = definition(image, local, run, copy, terminal(copy));
      expect(() => def.validate()).not.toThrow();
      expect(outputCount(def.ops()[2]!.op)).toBe(2);
      expect(outputCount(def.ops()[3]!.op)).toBe(1);
    });

    it('accepts a terminal op reading the second output of an exec', () => {
      const run = exec([image], [{ dest: '/', output: 0 }, { input: -1, dest: '/out', output: 1 }]);
      expect(() => definition(image, run, terminal(run, 1)).validate()).not.toThrow();
    });

    it('accepts merge and diff ops', () => {
      const merge = op({ inputs: [{ digest: digest(image) }, { digest: digest(local) }], merge: { inputs: [{ input: 0 }, { input: 1 }] } });
      const diff = op({ inputs: [{ digest: digest(image) }, { digest: digest(merge) }], diff: { lower: { input: 0 }, upper: { input: 1 } } });
      expect(() => definition(image, local, merge, diff, terminal(diff)).validate()).not.toThrow();
    });

    it('marshals back to the exact bytes it was read from', () => {
      const bytes = encodeMessage(llbSchema, 'Definition', { def: [image, terminal(image)], metadata: { [digest(image)]: { description: { 'llb.customname': 'FROM alpine' } } } });
      const def = Definition.unmarshal(bytes);
      expect(Buffer.from(def.marshal()).equals(Buffer.from(bytes))).toBe(true);
      expect(def.ops()[0]!.metadata).toEqual({ description: { 'llb.customname': 'FROM alpine' } });
      expect(def.ops()[1]!.metadata).toEqual({});
    });

    it('marshals a Definition built in memory as encodeMessage does', () => {
      const def = new Definition([image, terminal(image)]);
      expect(Buffer.from(def.marshal()).equals(Buffer.from(encodeMessage(llbSchema, 'Definition', { def: [image, terminal(image)] })))).toBe(true);
      expect(() => def.validate()).not.toThrow();
    });
  });

  describe('validate() errors', () => {
    it('empty: no ops at all', () => {
      expect(validationError(definition()).code).toBe('empty');
      expect(validationError(new Definition([])).code).toBe('empty');
    });

    it('no-terminal: the last op has a kind', () => {
      const err = validationError(definition(image));
      expect(err.code).toBe('no-terminal');
      expect(err.opIndex).toBe(0);
      expect(err.digest).toBe(digest(image));
      expect(validationError(definition(image, local)).code).toBe('no-terminal');
    });

    it('no-terminal: the last op has no kind but no input either', () => {
      expect(validationError(definition(image, op({}))).code).toBe('no-terminal');
    });

    it('head() of a Definition without a terminal op throws no-terminal', () => {
      for (const def of [definition(), definition(image)]) {
        let caught: unknown;
        try {
          def.head();
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(LlbValidationError);
        expect((caught as LlbValidationError).code).toBe('no-terminal');
      }
    });

    it('dangling-input: an input names an op that is not in the definition', () => {
      const err = validationError(definition(image, terminal(local)));
      expect(err.code).toBe('dangling-input');
      expect(err.opIndex).toBe(1);
      const run = exec([local], [{ dest: '/' }]);
      expect(validationError(definition(image, run, terminal(run))).code).toBe('dangling-input');
    });

    it('bad-output-index: an input asks for an output the producer does not have', () => {
      expect(validationError(definition(image, terminal(image, 1))).code).toBe('bad-output-index');
      const negative = op({ inputs: [{ digest: digest(image), index: -1 }] });
      expect(validationError(definition(image, negative)).code).toBe('bad-output-index');
      const run = exec([image], [{ dest: '/', output: 0 }, { input: -1, dest: '/out', output: -1 }]);
      const err = validationError(definition(image, run, terminal(run, 1)));
      expect(err.code).toBe('bad-output-index');
      expect(err.opIndex).toBe(2);
    });

    it('bad-output-index: secret and ssh mounts produce no output', () => {
      const run = exec([image], [
        { dest: '/', output: 0 },
        { input: -1, dest: '/run/secrets/x', output: 1, mountType: MountType.SECRET, secretOpt: { ID: 'x' } },
      ]);
      expect(validationError(definition(image, run, terminal(run, 1))).code).toBe('bad-output-index');
    });

    it('bad-digest: an input digest that is not sha256 + 64 lowercase hex digits', () => {
      for (const bad of ['', 'sha256:abc', `sha512:${'a'.repeat(64)}`, `sha256:${'A'.repeat(64)}`, `sha256:${'a'.repeat(65)}`]) {
        const err = validationError(definition(image, op({ inputs: [{ digest: bad }] })));
        expect(err.code).toBe('bad-digest');
        expect(err.opIndex).toBe(1);
      }
    });

    it('unknown-op-kind: an op holding only an unknown field (a newer op kind)', () => {
      // Field 8 (BuildKit's old `passthrough`), length-delimited, empty.
      const unknown = new Uint8Array([0x42, 0x00]);
      const err = validationError(definition(unknown, terminal(unknown)));
      expect(err.code).toBe('unknown-op-kind');
      expect(err.opIndex).toBe(0);
      expect(err.digest).toBe(digest(unknown));
    });

    it('unknown-op-kind: a kindless op that is not last', () => {
      const kindless = op({ inputs: [{ digest: digest(image) }] });
      expect(validationError(definition(image, kindless, terminal(image))).code).toBe('unknown-op-kind');
    });

    it('bad-mount-input: a mount uses an input the op does not have', () => {
      for (const input of [1, 5, -2]) {
        const run = exec([image], [{ input, dest: '/' }]);
        const err = validationError(definition(image, run, terminal(run)));
        expect(err.code).toBe('bad-mount-input');
        expect(err.opIndex).toBe(1);
      }
    });

    it('bad-action-input: a file action works on an input that is neither an op input nor an earlier action', () => {
      const tooHigh = file([image], [{ input: 1, secondaryInput: -1, mkdir: { path: '/x' } }]);
      expect(validationError(definition(image, tooHigh, terminal(tooHigh))).code).toBe('bad-action-input');
      const belowScratch = file([image], [{ input: -2, secondaryInput: -1, mkdir: { path: '/x' } }]);
      expect(validationError(definition(image, belowScratch, terminal(belowScratch))).code).toBe('bad-action-input');
      // action 1 may read action 0's result (index 1 = inputs.length + 0), but not its own (2).
      const self = file([image], [
        { input: 0, secondaryInput: -1, output: -1, mkdir: { path: '/a' } },
        { input: 2, secondaryInput: -1, output: 0, mkdir: { path: '/b' } },
      ]);
      expect(validationError(definition(image, self, terminal(self))).code).toBe('bad-action-input');
    });

    it('bad-action-input: a copy reads from a secondary input that does not exist', () => {
      const copy = file([image, local], [{ input: 0, secondaryInput: 2, copy: { src: '/', dest: '/' } }]);
      expect(validationError(definition(image, local, copy, terminal(copy))).code).toBe('bad-action-input');
    });

    it('bad-exec: no arguments, or no root mount', () => {
      const noArgs = exec([image], [{ dest: '/' }], []);
      expect(validationError(definition(image, noArgs, terminal(noArgs))).code).toBe('bad-exec');
      const noRoot = exec([image], [{ dest: '/src' }]);
      expect(validationError(definition(image, noRoot, terminal(noRoot))).code).toBe('bad-exec');
    });

    it('bad-mount: a mount without a destination', () => {
      const run = exec([image], [{ dest: '/' }, { input: -1, output: -1 }]);
      expect(validationError(definition(image, run, terminal(run))).code).toBe('bad-mount');
    });

    it('bad-mount-output: bind mount outputs not numbered 0..n-1', () => {
      const run = exec([image], [{ dest: '/', output: 0 }, { input: -1, dest: '/out', output: 2 }]);
      expect(validationError(definition(image, run, terminal(run))).code).toBe('bad-mount-output');
    });

    it('bad-file and unknown-action: a file op without actions, or with an action of no known kind', () => {
      const none = file([image], []);
      expect(validationError(definition(image, none, terminal(none))).code).toBe('bad-file');
      const kindless = file([image], [{ input: 0, secondaryInput: -1 }]);
      expect(validationError(definition(image, kindless, terminal(kindless))).code).toBe('unknown-action');
    });

    it('bad-merge and bad-diff: references out of range', () => {
      const noInputs = op({ merge: {} });
      expect(validationError(definition(noInputs, terminal(noInputs))).code).toBe('bad-merge');
      const scratch = op({ inputs: [{ digest: digest(image) }], merge: { inputs: [{ input: -1 }] } });
      expect(validationError(definition(image, scratch, terminal(scratch))).code).toBe('bad-merge');
      const diff = op({ inputs: [{ digest: digest(image) }], diff: { lower: { input: 0 }, upper: { input: 1 } } });
      expect(validationError(definition(image, diff, terminal(diff))).code).toBe('bad-diff');
    });

    it('bad-source: a source op without an identifier', () => {
      const empty = op({ source: {} });
      expect(validationError(definition(empty, terminal(empty))).code).toBe('bad-source');
    });

    it('reports problems in def order: the first broken op wins', () => {
      const unknown = new Uint8Array([0x42, 0x00]);
      const run = exec([image], [{ input: 3, dest: '/' }]);
      const err = validationError(definition(image, run, unknown, terminal(run)));
      expect(err.code).toBe('bad-mount-input');
      expect(err.opIndex).toBe(1);
    });
  });

  describe('unmarshal errors', () => {
    it('names the op a decoding error is in', () => {
      const bad = new Uint8Array([0x0a, 0x03, 0x0a, 0x01, 0xff]); // Op.inputs[0].digest = invalid UTF-8
      const bytes = encodeMessage(llbSchema, 'Definition', { def: [image, bad] });
      let caught: unknown;
      try {
        Definition.unmarshal(bytes);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(ProtoDecodeError);
      expect((caught as ProtoDecodeError).code).toBe('bad-utf8');
      expect((caught as ProtoDecodeError).path).toContain('def[1]');
    });

    it('reports a truncated Definition as truncated', () => {
      const bytes = encodeMessage(llbSchema, 'Definition', { def: [image, terminal(image)] });
      expect(() => Definition.unmarshal(bytes.subarray(0, bytes.length - 1))).toThrow(ProtoDecodeError);
    });
  });
});

describe('opKind and outputCount', () => {
  it('names the set oneof member', () => {
    expect(opKind({ exec: {} })).toBe('exec');
    expect(opKind({ source: {} })).toBe('source');
    expect(opKind({ file: {} })).toBe('file');
    expect(opKind({ build: {} })).toBe('build');
    expect(opKind({ merge: {} })).toBe('merge');
    expect(opKind({ diff: {} })).toBe('diff');
    expect(opKind({ inputs: [] })).toBeUndefined();
  });

  it('counts outputs per kind', () => {
    expect(outputCount({ source: { identifier: 'x' } })).toBe(1);
    expect(outputCount({ inputs: [{}] })).toBe(0);
    expect(outputCount({ exec: { mounts: [{ dest: '/' }, { dest: '/a', output: -1 }, { dest: '/b', output: 1 }] } })).toBe(2);
    expect(outputCount({ file: { actions: [{ output: -1 }, { output: 0 }] } })).toBe(1);
  });
});

describe('findCycle', () => {
  /** Checks the returned path is a real cycle of the graph: closed, each step an edge. */
  function expectCycle(nodes: { id: string; deps: string[] }[], cycle: string[] | undefined): void {
    expect(cycle).toBeDefined();
    const path = cycle!;
    expect(path.length).toBeGreaterThanOrEqual(2);
    expect(path[0]).toBe(path[path.length - 1]);
    const deps = new Map(nodes.map((n) => [n.id, n.deps]));
    for (let i = 0; i + 1 < path.length; i++) expect(deps.get(path[i]!)).toContain(path[i + 1]);
  }

  it('finds a three-node cycle', () => {
    const nodes = [
      { id: 'a', deps: ['b'] },
      { id: 'b', deps: ['c'] },
      { id: 'c', deps: ['a'] },
    ];
    const cycle = findCycle(nodes);
    expectCycle(nodes, cycle);
    expect(new Set(cycle)).toEqual(new Set(['a', 'b', 'c']));
  });

  it('finds a self-loop', () => {
    const nodes = [{ id: 'a', deps: ['a'] }];
    expect(findCycle(nodes)).toEqual(['a', 'a']);
  });

  it('finds a cycle reachable only from a later node, behind a DAG part', () => {
    const nodes = [
      { id: 'root', deps: ['x', 'y'] },
      { id: 'x', deps: ['leaf'] },
      { id: 'y', deps: ['leaf', 'p'] },
      { id: 'leaf', deps: [] },
      { id: 'p', deps: ['q'] },
      { id: 'q', deps: ['r'] },
      { id: 'r', deps: ['p'] },
    ];
    const cycle = findCycle(nodes);
    expectCycle(nodes, cycle);
    expect(new Set(cycle)).toEqual(new Set(['p', 'q', 'r']));
  });

  it('returns undefined for a DAG, including a diamond and shared leaves', () => {
    expect(
      findCycle([
        { id: 'top', deps: ['l', 'r'] },
        { id: 'l', deps: ['bottom'] },
        { id: 'r', deps: ['bottom'] },
        { id: 'bottom', deps: [] },
      ]),
    ).toBeUndefined();
    expect(findCycle([])).toBeUndefined();
  });

  it('ignores dependencies on ids not in the graph', () => {
    expect(findCycle([{ id: 'a', deps: ['missing', 'b'] }, { id: 'b', deps: ['missing'] }])).toBeUndefined();
  });

  it('handles a 100,000-node chain without overflowing the stack', () => {
    const n = 100_000;
    const chain = Array.from({ length: n }, (_, i) => ({ id: `n${i}`, deps: i + 1 < n ? [`n${i + 1}`] : [] }));
    expect(findCycle(chain)).toBeUndefined();
    chain[n - 1] = { id: `n${n - 1}`, deps: ['n0'] };
    const cycle = findCycle(chain);
    expect(cycle).toHaveLength(n + 1);
    expect(cycle![0]).toBe(cycle![n]);
  });
});
