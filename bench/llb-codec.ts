// Benchmark: LLB decode + re-encode, kiln's Go-exact codec against protobufjs
// (reflection, from the same ops.proto) side by side, on the Definitions real
// BuildKit wrote; then marshal of a deep State graph. Prints ratios.
// Run: npm run bench (after npm run build).
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { Definition, llb, llbSchema, decodeMessage, encodeMessage } from '../compiler/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), existsSync(resolve(dirname(fileURLToPath(import.meta.url)), '../package.json')) ? '..' : '../..');
const shared = process.env.KILN_SHARED ?? join(root, '..', 'shared'); // bench runs from a checkout beside shared/
const casesDir = join(shared, 'corpus', 'dockerfile-to-llb');
const files = readdirSync(casesDir).filter((d) => existsSync(join(casesDir, d, 'llb.pb'))).map((d) => new Uint8Array(readFileSync(join(casesDir, d, 'llb.pb'))));
const ops = files.flatMap((f) => Definition.unmarshal(f).def);

const pbRoot = new protobuf.Root().loadSync(join(root, 'grammars/llb/ops.proto'), { keepCase: true });
const PbOp = pbRoot.lookupType('pb.Op');

function time(label: string, rounds: number, fn: () => void): number {
  for (let i = 0; i < Math.min(50, rounds); i++) fn();
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  const ns = Number(process.hrtime.bigint() - start) / rounds;
  console.log(`${label.padEnd(46)} ${(ns / 1000).toFixed(1).padStart(9)} µs/round`);
  return ns;
}

const rounds = Number(process.env.ROUNDS ?? 2000);
console.log(`${ops.length} ops from ${files.length} BuildKit-written Definitions, ${rounds} rounds\n`);
const kilnDecode = time('kiln: decode every op', rounds, () => {
  for (const b of ops) decodeMessage(llbSchema, 'Op', b);
});
const pbDecode = time('protobufjs: decode every op', rounds, () => {
  for (const b of ops) PbOp.decode(b);
});
const decoded = ops.map((b) => decodeMessage<object>(llbSchema, 'Op', b));
const pbDecoded = ops.map((b) => PbOp.decode(b));
const kilnEncode = time('kiln: encode every op (Go-exact bytes)', rounds, () => {
  for (const o of decoded) encodeMessage(llbSchema, 'Op', o);
});
const pbEncode = time('protobufjs: encode every op (not Go-exact)', rounds, () => {
  for (const o of pbDecoded) PbOp.encode(o).finish();
});
console.log(`\nratio kiln/protobufjs: decode ${(kilnDecode / pbDecode).toFixed(2)}x, encode ${(kilnEncode / pbEncode).toFixed(2)}x (lower is better for kiln)`);

// Marshal a long chain: 500 RUN steps with a COPY between each, as a large Dockerfile would.
let s = llb.image('docker.io/library/busybox:latest');
const ctx = llb.local('context', { localUniqueId: 'bench' });
for (let i = 0; i < 500; i++) s = s.run({ shell: `echo ${i} > /f${i}` }).root().file(llb.copy(ctx, `/src/${i}`, `/dst/${i}`));
const chain = s;
const marshalNs = time('kiln: marshal a 1,001-op State graph', 20, () => {
  void chain.marshal();
});
console.log(`\n${(1001 / (marshalNs / 1e9)).toFixed(0)} ops marshaled per second`);
