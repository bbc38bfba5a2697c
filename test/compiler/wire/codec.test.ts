import { join } from 'node:path';
import { thrownBy } from '../../support/errors.js';
import protobuf from 'protobufjs';
import { ProtoDecodeError } from '../../../compiler/errors.js';
import type { FileActionCopy, Input, Meta, Op, SourceOp, UserOpt } from '../../../compiler/generated/ops.js';
import { CacheSharingOpt, llbSchema, MountType, NetMode, SecurityMode } from '../../../compiler/generated/ops.js';
import { decodeMessage, encodeMessage } from '../../../compiler/wire/codec.js';
import { repoRoot } from '../../support/corpus.js';

// Helpers. Hex strings may contain spaces for readability.

const bytesOf = (hex: string) => new Uint8Array(Buffer.from(hex.replace(/\s+/g, ''), 'hex'));
const hexOf = (b: Uint8Array) => Buffer.from(b).toString('hex');
const h = (hex: string) => hex.replace(/\s+/g, '');
const enc = (name: string, value: object) => hexOf(encodeMessage(llbSchema, name, value));
const dec = <T = Record<string, unknown>>(name: string, hex: string) => decodeMessage<T>(llbSchema, name, bytesOf(hex));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));

/** Length-delimited field: tag (id, wire type 2), length, payload. */
function lenField(id: number, payload: Uint8Array): Uint8Array {
  return concat(varint((id << 3) | 2), varint(payload.length), payload);
}

function varint(n: number): Uint8Array {
  const out: number[] = [];
  let v = n >>> 0;
  while (v > 0x7f) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
  return new Uint8Array(out);
}

/** Decodes expecting failure; returns the ProtoDecodeError. */
function decodeError(name: string, bytes: Uint8Array): ProtoDecodeError {
  return thrownBy(ProtoDecodeError, () => decodeMessage(llbSchema, name, bytes));
}

describe('encoding follows Go (deterministic marshal) rules', () => {
  describe('proto3 default values', () => {
    it('omits zero scalars, empty strings, false and zero enums', () => {
      expect(enc('Mount', { input: 0, selector: '', dest: '', output: 0, readonly: false, mountType: MountType.BIND, resultID: '' })).toBe('');
      expect(enc('ExecOp', { network: NetMode.UNSET, security: SecurityMode.SANDBOX })).toBe('');
      expect(enc('Input', { digest: '', index: 0n })).toBe('');
      expect(enc('FileActionMkFile', { data: new Uint8Array() })).toBe('');
    });

    it('omits empty repeated fields and maps', () => {
      expect(enc('Meta', { args: [], env: [], validExitCodes: [] })).toBe('');
      expect(enc('SourceOp', { attrs: {} })).toBe('');
      expect(enc('Definition', { def: [], metadata: {} })).toBe('');
    });

    it('decodes empty bytes to an empty message', () => {
      expect(dec('Op', '')).toEqual({});
    });
  });

  describe('present sub-messages', () => {
    it('writes a present empty sub-message', () => {
      expect(enc('Op', { constraints: {} })).toBe('5a00');
      expect(enc('Op', { exec: {} })).toBe('1200');
      expect(enc('Mount', { cacheOpt: {} })).toBe('a20100');
    });

    it('writes an empty element of a repeated message field', () => {
      expect(enc('Op', { inputs: [{}, { index: 1 }] })).toBe(h('0a00 0a021001'));
    });

    it('decodes a present empty sub-message as {}', () => {
      expect(dec<Op>('Op', '5a00')).toEqual({ constraints: {} });
    });
  });

  describe('oneof members', () => {
    it('writes the oneof member after the plain fields, whatever the key order', () => {
      const op = {
        exec: { meta: { args: ['true'] } },
        constraints: { filter: ['x'] },
        platform: { OS: 'linux', Architecture: 'amd64' },
        inputs: [{ index: 1 }],
      };
      const expected = h(`
        0a02 1001
        520e 0a05 616d643634 1205 6c696e7578
        5a03 0a0178
        1208 0a06 0a04 74727565`);
      expect(enc('Op', op)).toBe(expected);
      // platform(10) and constraints(11) come before exec(2)
      const hex = enc('Op', op);
      expect(hex.indexOf('520e')).toBeLessThan(hex.indexOf('1208'));
      expect(hex.indexOf('5a03')).toBeLessThan(hex.indexOf('1208'));
    });

    it('writes a oneof scalar set to zero', () => {
      expect(enc('UserOpt', { byID: 0 })).toBe('1000');
      expect(dec<UserOpt>('UserOpt', '1000')).toEqual({ byID: 0 });
    });

    it('writes a oneof sub-message set to {}', () => {
      expect(enc('UserOpt', { byName: {} })).toBe('0a00');
    });

    it('keeps only the last oneof member seen when decoding', () => {
      expect(dec<UserOpt>('UserOpt', h('0a00 1005'))).toEqual({ byID: 5 });
      expect(dec<UserOpt>('UserOpt', h('1005 0a03 0a0161'))).toEqual({ byName: { name: 'a' } });
    });
  });

  describe('maps', () => {
    const sorted = h('1206 0a0161 120178  1205 0a0162 1200');

    it('sorts entries by key and writes both key and value even when empty', () => {
      expect(enc('SourceOp', { attrs: { b: '', a: 'x' } })).toBe(sorted);
      expect(enc('SourceOp', { attrs: { a: 'x', b: '' } })).toBe(sorted);
    });

    it('writes an entry with an empty key and empty value', () => {
      expect(enc('SourceOp', { attrs: { '': '' } })).toBe(h('1204 0a00 1200'));
    });

    it('writes map<string, bool> false values and map<string, message> empty values', () => {
      expect(enc('OpMetadata', { caps: { a: false } })).toBe(h('2a05 0a0161 1000'));
      expect(enc('Definition', { metadata: { d: {} } })).toBe(h('1205 0a0164 1200'));
    });

    it('sorts keys by their UTF-8 bytes, not UTF-16 code units', () => {
      // U+FFFD is EF BF BD in UTF-8, U+1F600 is F0 9F 98 80: bytes order puts U+FFFD first,
      // while JavaScript's default string order puts the surrogate pair first.
      const hex = enc('SourceOp', { attrs: { '\u{1F600}': '1', '\uFFFD': '2' } });
      expect(hex.indexOf('efbfbd')).toBeLessThan(hex.indexOf('f09f9880'));
    });

    it('decodes map entries and re-encodes them identically', () => {
      const v = dec<SourceOp>('SourceOp', sorted);
      expect({ ...v.attrs }).toEqual({ a: 'x', b: '' });
      expect(enc('SourceOp', v)).toBe(sorted);
    });

    it('decodes an entry missing its key or value as the zero value', () => {
      const v = dec<SourceOp>('SourceOp', h('1203 0a0161  1203 120178'));
      expect({ ...v.attrs }).toEqual({ a: '', '': 'x' });
    });

    it('keeps a decoded map in the order it arrived in, so decode → encode is byte-identical', () => {
      const unsorted = h('1205 0a0162 1200  1206 0a0161 120178');
      expect(enc('SourceOp', dec('SourceOp', unsorted))).toBe(unsorted);
    });

    it('treats a __proto__ key as plain data', () => {
      const hex = h('120e 0a09 5f5f70726f746f5f5f 120178');
      const v = dec<SourceOp>('SourceOp', hex);
      expect(Object.hasOwn(v.attrs!, '__proto__')).toBe(true);
      expect(v.attrs!['__proto__']).toBe('x');
      expect(enc('SourceOp', v)).toBe(hex);
    });
  });

  describe('integers', () => {
    it('writes negative int64 as a ten-byte varint', () => {
      expect(enc('Mount', { input: -1 })).toBe(h('08 ffffffffffffffffff01'));
      expect(enc('Mount', { input: -1n })).toBe(h('08 ffffffffffffffffff01'));
      expect(dec('Mount', h('08 ffffffffffffffffff01'))).toEqual({ input: -1 });
    });

    it('writes negative int32 sign-extended to ten bytes, as Go does', () => {
      expect(enc('FileActionCopy', { mode: -1 })).toBe(h('20 ffffffffffffffffff01'));
      expect(dec('FileActionCopy', h('20 ffffffffffffffffff01'))).toEqual({ mode: -1 });
    });

    it('writes uint32 as is', () => {
      expect(enc('SecretOpt', { uid: 0xffffffff })).toBe(h('10 ffffffff0f'));
      expect(dec('SecretOpt', h('10 ffffffff0f'))).toEqual({ uid: 0xffffffff });
    });

    it('round-trips int64 beyond 2^53 as a bigint', () => {
      const ts = 1445412480000000000n;
      const bytes = encodeMessage(llbSchema, 'FileActionCopy', { timestamp: ts });
      const back = decodeMessage<FileActionCopy>(llbSchema, 'FileActionCopy', bytes);
      expect(typeof back.timestamp).toBe('bigint');
      expect(back.timestamp).toBe(ts);
      expect(hexOf(encodeMessage(llbSchema, 'FileActionCopy', back))).toBe(hexOf(bytes));
    });

    it('decodes safe int64 values as numbers and unsafe ones as bigints, at both ends of the range', () => {
      for (const [v, type] of [
        [9007199254740991n, 'number'],
        [9007199254740992n, 'bigint'],
        [-9007199254740991n, 'number'],
        [-9007199254740992n, 'bigint'],
        [9223372036854775807n, 'bigint'],
        [-9223372036854775808n, 'bigint'],
      ] as const) {
        const back = decodeMessage<Input>(llbSchema, 'Input', encodeMessage(llbSchema, 'Input', { index: v }));
        expect(typeof back.index).toBe(type);
        expect(BigInt(back.index!)).toBe(v);
      }
    });

    it('encodes a number and the equal bigint identically', () => {
      expect(enc('FileActionCopy', { timestamp: 1234567 })).toBe(enc('FileActionCopy', { timestamp: 1234567n }));
      expect(enc('FileActionCopy', { timestamp: 2 ** 40 })).toBe(enc('FileActionCopy', { timestamp: 2n ** 40n }));
    });
  });

  describe('unknown fields', () => {
    const op = encodeMessage(llbSchema, 'Op', { inputs: [{ digest: 'sha256:' + 'a'.repeat(64) }], source: { identifier: 'local://context' } });

    it('keeps an unknown length-delimited field (number 99) through decode → encode', () => {
      const withUnknown = concat(op, bytesOf('9a06 03 616263'));
      const v = decodeMessage<Op>(llbSchema, 'Op', withUnknown);
      expect(v.$unknown).toHaveLength(1);
      expect(v.source).toEqual({ identifier: 'local://context' });
      expect(hexOf(encodeMessage(llbSchema, 'Op', v))).toBe(hexOf(withUnknown));
    });

    it('keeps unknown varint, fixed32, fixed64 and group fields', () => {
      const extra = bytesOf(h(`
        a006 2a
        ad06 01020304
        b106 0102030405060708
        bb06 0801 1203616263 bc06`));
      const withUnknown = concat(op, extra);
      const v = decodeMessage<Op>(llbSchema, 'Op', withUnknown);
      expect(v.$unknown).toHaveLength(4);
      expect(hexOf(encodeMessage(llbSchema, 'Op', v))).toBe(hexOf(withUnknown));
    });

    it('keeps an unknown field inside a nested message', () => {
      const meta = concat(encodeMessage(llbSchema, 'Meta', { args: ['sh'], cwd: '/' }), bytesOf('9a06 02 6869'));
      const exec = concat(lenField(1, meta), encodeMessage(llbSchema, 'ExecOp', { mounts: [{ dest: '/' }] }));
      const bytes = lenField(2, exec);
      const v = decodeMessage<Op>(llbSchema, 'Op', bytes);
      expect(v.$unknown).toBeUndefined();
      expect(v.exec?.$unknown).toBeUndefined();
      expect(v.exec?.meta?.$unknown).toHaveLength(1);
      expect(v.exec?.meta?.args).toEqual(['sh']);
      expect(hexOf(encodeMessage(llbSchema, 'Op', v))).toBe(hexOf(bytes));
    });

    it('keeps a known field with an unexpected wire type as unknown', () => {
      // Input.digest (1) as a varint.
      const v = dec<Input>('Input', '0805');
      expect(v.digest).toBeUndefined();
      expect(v.$unknown).toHaveLength(1);
      expect(enc('Input', v)).toBe('0805');
    });

    it('re-emits unknown fields after the known ones, as Go does', () => {
      expect(enc('Input', dec('Input', h('9a0603616263 0a0178')))).toBe(h('0a0178 9a0603616263'));
    });
  });

  describe('repeated scalars', () => {
    const packed = h('620e 00 01 ff01 ffffffffffffffffff01');
    const unpacked = h('6000 6001 60ff01 60ffffffffffffffffff01');

    it('writes repeated int32 packed', () => {
      expect(enc('Meta', { validExitCodes: [0, 1, 255, -1] })).toBe(packed);
    });

    it('decodes both packed and unpacked encodings', () => {
      expect(dec<Meta>('Meta', packed).validExitCodes).toEqual([0, 1, 255, -1]);
      expect(dec<Meta>('Meta', unpacked).validExitCodes).toEqual([0, 1, 255, -1]);
    });

    it('concatenates a mix of packed and unpacked runs', () => {
      expect(dec<Meta>('Meta', h('62020102 6003 62010a')).validExitCodes).toEqual([1, 2, 3, 10]);
    });

    it('writes repeated strings one field each, empty strings included', () => {
      expect(enc('Meta', { args: ['a', ''] })).toBe(h('0a0161 0a00'));
      expect(dec<Meta>('Meta', h('0a0161 0a00')).args).toEqual(['a', '']);
    });

    it('rejects a packed run that ends inside a varint', () => {
      const err = decodeError('Meta', bytesOf('6201ff'));
      expect(err.code).toBe('truncated');
    });
  });
});

describe('decoding errors', () => {
  it('rejects invalid UTF-8 in a string field with bad-utf8', () => {
    const err = decodeError('Input', bytesOf('0a01ff'));
    expect(err.code).toBe('bad-utf8');
    expect(err.offset).toBe(2);
  });

  it('rejects UTF-8-encoded surrogates and overlong forms', () => {
    expect(decodeError('Input', bytesOf('0a03eda080')).code).toBe('bad-utf8');
    expect(decodeError('Input', bytesOf('0a02c0af')).code).toBe('bad-utf8');
  });

  it('names the offset in the outermost buffer for a nested bad string', () => {
    const err = decodeError('Op', bytesOf('0a03 0a01ff'));
    expect(err.code).toBe('bad-utf8');
    expect(err.offset).toBe(4);
    expect(err.path).toContain('inputs');
  });

  it('does not check UTF-8 in bytes fields', () => {
    expect(dec('FileActionMkFile', '1a02ff00')).toEqual({ data: new Uint8Array([0xff, 0x00]) });
  });

  it('reports a length running past the end as truncated, at the length prefix', () => {
    const err = decodeError('Input', bytesOf('0a05 61'));
    expect(err.code).toBe('truncated');
    expect(err.offset).toBe(1);
  });

  it('reports a varint cut short as truncated, at its first byte', () => {
    for (const hex of ['10', '10ff', '10ffff']) {
      const err = decodeError('Input', bytesOf(hex));
      expect(err.code).toBe('truncated');
      expect(err.offset).toBe(1);
    }
  });

  it('reports a tag cut short as truncated', () => {
    const err = decodeError('Op', bytesOf('9a'));
    expect(err.code).toBe('truncated');
    expect(err.offset).toBe(0);
  });

  it('reports truncated fixed32 and fixed64 values', () => {
    expect(decodeError('Op', bytesOf('ad06 010203')).code).toBe('truncated');
    expect(decodeError('Op', bytesOf('b106 01020304050607')).code).toBe('truncated');
  });

  it('reports every truncation of a valid op as a truncated error with an offset, or decodes a prefix', () => {
    const full = encodeMessage(llbSchema, 'Op', {
      inputs: [{ digest: 'sha256:' + 'b'.repeat(64), index: 1 }],
      exec: { meta: { args: ['sh', '-c', 'true'], validExitCodes: [0, -1] }, mounts: [{ input: 0, dest: '/', output: -1 }] },
      platform: { OS: 'linux', Architecture: 'arm64' },
    });
    const sub = decodeError('Op', full.subarray(0, full.length - 1));
    expect(sub.code).toBe('truncated');
    expect(sub.offset).toBeGreaterThanOrEqual(0);
    expect(sub.offset).toBeLessThanOrEqual(full.length);
    for (let n = 0; n < full.length; n++) {
      try {
        decodeMessage(llbSchema, 'Op', full.slice(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(ProtoDecodeError);
        expect(['truncated', 'bad-utf8']).toContain((err as ProtoDecodeError).code);
        expect(typeof (err as ProtoDecodeError).offset).toBe('number');
      }
    }
  });

  it('rejects a varint longer than ten bytes with bad-varint', () => {
    const err = decodeError('Input', bytesOf('10 ffffffffffffffffffff01'));
    expect(err.code).toBe('bad-varint');
    expect(err.offset).toBe(1);
  });

  it('rejects a ten-byte varint overflowing 64 bits with bad-varint', () => {
    expect(decodeError('Input', bytesOf('10 ffffffffffffffffff02')).code).toBe('bad-varint');
  });

  it('rejects wire types 6 and 7 with bad-wire-type', () => {
    expect(decodeError('Op', bytesOf('0f')).code).toBe('bad-wire-type');
    expect(decodeError('Op', bytesOf('0e')).code).toBe('bad-wire-type');
    const nested = decodeError('Op', bytesOf('0a01 0f'));
    expect(nested.code).toBe('bad-wire-type');
    expect(nested.offset).toBe(2);
  });

  it('rejects field number 0 with bad-tag', () => {
    expect(decodeError('Op', bytesOf('0200')).code).toBe('bad-tag');
  });

  it('rejects a stray or mismatched end-group with bad-group', () => {
    expect(decodeError('Op', bytesOf('0c')).code).toBe('bad-group');
    expect(decodeError('Op', bytesOf('bb06 bc07')).code).toBe('bad-group');
  });

  it('rejects an unterminated group as truncated', () => {
    expect(decodeError('Op', bytesOf('bb06 0801')).code).toBe('truncated');
  });

  it('rejects messages nested too deeply with too-deep rather than overflowing the stack', () => {
    // Definition.Source(3) > Source.infos(2) > SourceInfo.definition(3) > Definition …
    let bytes: Uint8Array = new Uint8Array();
    for (let i = 0; i < 200; i++) bytes = lenField(3, lenField(2, lenField(3, bytes)));
    expect(decodeError('Definition', bytes).code).toBe('too-deep');
  });

  it('rejects deeply nested groups with too-deep', () => {
    const open = bytesOf('bb06');
    const close = bytesOf('bc06');
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 500; i++) parts.push(open);
    for (let i = 0; i < 500; i++) parts.push(close);
    expect(decodeError('Op', concat(...parts)).code).toBe('too-deep');
  });
});

describe('cross-check with protobufjs', () => {
  const root = new protobuf.Root().loadSync(join(repoRoot, 'grammars/llb/ops.proto'), { keepCase: true });
  const OpType = root.lookupType('pb.Op');

  /** A comparable form: integers as strings, bytes as hex, keys sorted, unknown fields dropped. */
  function norm(v: unknown): unknown {
    if (v instanceof Uint8Array) return `bytes:${hexOf(v)}`;
    if (typeof v === 'bigint' || typeof v === 'number') return String(v);
    if (Array.isArray(v)) return v.map(norm);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) if (k !== '$unknown') out[k] = norm((v as Record<string, unknown>)[k]);
      return out;
    }
    return v;
  }

  /** protobufjs's fromObject takes 64-bit values as strings, not bigints. */
  function forProtobufjs(v: unknown): unknown {
    if (typeof v === 'bigint') return v.toString();
    if (v instanceof Uint8Array) return v;
    if (Array.isArray(v)) return v.map(forProtobufjs);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, forProtobufjs(x)]));
    return v;
  }

  const digest = (c: string) => 'sha256:' + c.repeat(64);

  const execOp: Op = {
    inputs: [{ digest: digest('1') }, { digest: digest('2'), index: 3 }],
    exec: {
      meta: {
        args: ['/bin/sh', '-c', 'make && make install'],
        env: ['PATH=/usr/bin:/bin', 'EMPTY='],
        cwd: '/src',
        user: '1000:1000',
        proxy_env: { http_proxy: 'http://proxy:3128', no_proxy: 'localhost' },
        extraHosts: [{ Host: 'db', IP: '10.0.0.2' }],
        hostname: 'builder',
        ulimit: [{ Name: 'nofile', Soft: 1024, Hard: 9007199254740993n }],
        removeMountStubsRecursive: true,
        validExitCodes: [0, 1, -1],
      },
      mounts: [
        { dest: '/' },
        { input: 1, selector: '/src', dest: '/src', output: -1, readonly: true },
        { input: -1, dest: '/root/.cache', output: -1, mountType: MountType.CACHE, cacheOpt: { ID: 'go-cache', sharing: CacheSharingOpt.LOCKED } },
        { input: -1, dest: '/run/secrets/token', output: -1, mountType: MountType.SECRET, secretOpt: { ID: 'token', uid: 1000, gid: 1000, mode: 0o400, optional: true } },
        { input: -1, dest: '/run/buildkit/ssh_agent.0', output: -1, mountType: MountType.SSH, SSHOpt: { ID: 'default', mode: 0o600 } },
        { input: -1, dest: '/tmp', output: -1, mountType: MountType.TMPFS, TmpfsOpt: { size: 64 * 1024 * 1024 } },
      ],
      network: NetMode.NONE,
      security: SecurityMode.INSECURE,
      secretenv: [{ ID: 'token', name: 'TOKEN', optional: true }],
      cdiDevices: [{ name: 'nvidia.com/gpu=all' }],
    },
    platform: { Architecture: 'arm64', OS: 'linux', Variant: 'v8', OSFeatures: ['a', 'b'] },
    constraints: { filter: ['label==x'] },
  };

  const fileOp: Op = {
    inputs: [{ digest: digest('3') }, { digest: digest('4') }],
    file: {
      actions: [
        {
          secondaryInput: 1,
          output: -1,
          copy: {
            src: '/app/*.go',
            dest: '/out/',
            owner: { user: { byID: 0 }, group: { byName: { name: 'staff', input: 1 } } },
            mode: 0o755,
            followSymlink: true,
            dirCopyContents: true,
            createDestPath: true,
            allowWildcard: true,
            allowEmptyWildcard: true,
            timestamp: 1445412480000000000n,
            include_patterns: ['*.go'],
            exclude_patterns: ['*_test.go'],
            alwaysReplaceExistingDestPaths: true,
            modeStr: 'u+x',
          },
        },
        { input: 2, secondaryInput: -1, output: -1, mkdir: { path: '/out/bin', mode: 0o700, makeParents: true, owner: { user: { byID: 1000 } }, timestamp: -1 } },
        { input: 3, secondaryInput: -1, mkfile: { path: '/out/bin/run', mode: 0o644, data: new Uint8Array([0, 0xff, 0x80, 10]), timestamp: -1 } },
        { input: 4, secondaryInput: -1, output: -1, rm: { path: '/out/tmp', allowNotFound: true, allowWildcard: true } },
        { input: 5, secondaryInput: -1, output: 1, symlink: { oldpath: 'run', newpath: '/out/bin/start', owner: { user: { byName: { name: 'app' } } } } },
      ],
    },
  };

  const otherOps: [string, Op][] = [
    ['source with attrs', { source: { identifier: 'docker-image://docker.io/library/alpine:latest', attrs: { 'image.resolvemode': 'pull', 'image.recordtype': 'internal', z: '' } } }],
    ['merge', { inputs: [{ digest: digest('5') }, { digest: digest('6') }], merge: { inputs: [{}, { input: 1 }] } }],
    ['diff', { inputs: [{ digest: digest('7') }], diff: { lower: {}, upper: { input: -1 } } }],
    [
      'build',
      {
        inputs: [{ digest: digest('8') }],
        build: {
          builder: -1,
          inputs: { dockerfile: { input: 1 }, context: {} },
          def: { def: [new Uint8Array([1, 2, 3])], metadata: { [digest('9')]: { ignore_cache: true, description: { 'llb.customname': 'x' }, caps: { 'source.image': true } } } },
          attrs: { filename: 'Dockerfile' },
        },
      },
    ],
  ];

  const cases: [string, Op][] = [['exec with mounts', execOp], ['file with copy/mkdir/mkfile/rm/symlink', fileOp], ...otherOps];

  describe.each(cases)('%s', (_name, op) => {
    it('protobufjs decodes kiln’s bytes to the same value', () => {
      const bytes = encodeMessage(llbSchema, 'Op', op);
      const theirs = OpType.toObject(OpType.decode(bytes), { longs: String, enums: Number });
      expect(norm(theirs)).toEqual(norm(op));
      expect(norm(decodeMessage(llbSchema, 'Op', bytes))).toEqual(norm(op));
    });

    it('kiln decodes protobufjs’s bytes to the same value', () => {
      const msg = OpType.fromObject(forProtobufjs(op) as Record<string, unknown>);
      expect(OpType.verify(msg)).toBeNull();
      const theirs = OpType.encode(msg).finish();
      expect(norm(decodeMessage(llbSchema, 'Op', theirs))).toEqual(norm(op));
    });
  });

  it('agrees byte for byte with protobufjs where field orders coincide (no plain field after a oneof)', () => {
    const bytes = encodeMessage(llbSchema, 'Op', fileOp);
    const theirs = OpType.encode(OpType.fromObject(forProtobufjs(fileOp) as Record<string, unknown>)).finish();
    expect(hexOf(bytes)).toBe(hexOf(theirs));
  });

  it('is the only one of the two to write the oneof last', () => {
    const op = { exec: { meta: { args: ['true'] } }, platform: { OS: 'linux' } };
    const ours = hexOf(encodeMessage(llbSchema, 'Op', op));
    const theirs = hexOf(OpType.encode(OpType.fromObject(op)).finish());
    expect(ours.startsWith('52')).toBe(true);
    expect(theirs.startsWith('12')).toBe(true);
    expect(norm(OpType.toObject(OpType.decode(bytesOf(ours))))).toEqual(norm(OpType.toObject(OpType.decode(bytesOf(theirs)))));
  });
});
