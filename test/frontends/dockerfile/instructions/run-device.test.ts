import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isFailure } from '../../../../frontends/dockerfile/instructions/failure.js';
import { parseDevice } from '../../../../frontends/dockerfile/instructions/run-device.js';
import { corpusDir } from '../../../support/corpus.js';

interface DeviceCase {
  input: string;
  expected?: { Name: string; Required: boolean };
  expectedError?: string;
}

const corpus = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'run-device.json'), 'utf8')) as { cases: DeviceCase[] };

describe('parseDevice (BuildKit TestParseDevice corpus)', () => {
  it.each(corpus.cases.map((c) => [c.input, c] as const))('%s', (_input, c) => {
    const r = parseDevice(c.input);
    if (c.expectedError !== undefined) {
      expect(isFailure(r) && r.message).toBe(c.expectedError);
      expect(isFailure(r) && r.slug).toBe('invalid-device');
    } else {
      expect(r).toEqual({ name: c.expected?.Name, required: c.expected?.Required });
    }
  });

  it('reports bad values and unknown keys', () => {
    expect(parseDevice('a,required=maybe')).toMatchObject({ message: 'invalid value for required: maybe' });
    expect(parseDevice('a,nam=b')).toMatchObject({ message: "unexpected key 'nam' in 'nam=b'", hint: 'did you mean name?' });
    expect(parseDevice('a,b')).toMatchObject({ message: "invalid field 'b' must be a key=value pair" });
    expect(parseDevice('')).toMatchObject({ message: 'failed to parse csv devices: EOF' });
  });
});
