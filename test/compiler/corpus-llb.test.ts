import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Definition } from '../../compiler/definition.js';
import { dumpJsonLines } from '../../compiler/dump/dump-llb.js';
import { encodeMessage } from '../../compiler/wire/codec.js';
import { llbSchema } from '../../compiler/generated/ops.js';
import { corpusDir } from '../support/corpus.js';

const casesDir = corpusDir('dockerfile-to-llb');
const cases = readdirSync(casesDir).filter((d) => existsSync(join(casesDir, d, 'llb.pb')));

describe('dockerfile-to-llb corpus (written by real BuildKit v0.24)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThanOrEqual(10));

  describe.each(cases)('%s', (name) => {
    const bytes = new Uint8Array(readFileSync(join(casesDir, name, 'llb.pb')));
    const def = Definition.unmarshal(bytes);

    it('decodes, validates and re-encodes the whole Definition byte for byte', () => {
      def.validate();
      expect(Buffer.from(def.marshal()).equals(Buffer.from(bytes))).toBe(true);
    });

    it('re-encodes every op to identical bytes and digests', () => {
      for (const o of def.ops()) {
        const again = encodeMessage(llbSchema, 'Op', o.op);
        expect(Buffer.from(again).toString('hex')).toBe(Buffer.from(o.bytes).toString('hex'));
      }
    });

    it('dumps exactly what buildctl debug dump-llb printed', () => {
      const expected = readFileSync(join(casesDir, name, 'llb.jsonl'), 'utf8').split('\n').filter(Boolean);
      const actual = dumpJsonLines(def);
      expect(actual.map((l) => JSON.parse(l))).toEqual(expected.map((l) => JSON.parse(l)));
      expect(actual).toEqual(expected);
    });
  });
});
