import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expandPort, expandPorts } from '../../../../frontends/dockerfile/instructions/expose.js';
import { isFailure } from '../../../../frontends/dockerfile/instructions/failure.js';
import { corpusDir } from '../../../support/corpus.js';

interface ExposeCorpus {
  parsePortErrors: { spec: string; expectedError: string }[];
  parsePort: { name?: string; spec: string; expected: string[] }[];
  parsePorts: { specs: string[]; expected?: string[]; expectError?: boolean }[];
}

const corpus = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'expose-ports.json'), 'utf8')) as ExposeCorpus;

describe('expandPorts (BuildKit convert_expose_test corpus)', () => {
  it.each(corpus.parsePortErrors.map((c) => [c.spec, c] as const))('rejects %j', (_spec, c) => {
    const r = expandPort(c.spec);
    expect(isFailure(r) && r.message).toBe(c.expectedError);
  });

  it.each(corpus.parsePort.map((c) => [c.name ?? c.spec, c] as const))('parses %s', (_name, c) => {
    expect(expandPort(c.spec)).toEqual(c.expected);
  });

  it.each(corpus.parsePorts.map((c) => [c.specs.join(' '), c] as const))('expands %s', (_name, c) => {
    const r = expandPorts(c.specs);
    if (c.expectError) expect(isFailure(r)).toBe(true);
    else expect(r).toEqual(c.expected);
  });

  it('expands a range with the default protocol and lower-cases the protocol', () => {
    expect(expandPorts(['8000-8002', '53/UDP'])).toEqual(['8000/tcp', '8001/tcp', '8002/tcp', '53/udp']);
  });

  it('rejects bad protocols, ports and ranges', () => {
    expect(expandPort('80/icmp')).toMatchObject({ message: 'invalid port: "80/icmp": invalid proto: icmp' });
    expect(expandPort('70000')).toMatchObject({ message: 'invalid containerPort: 70000' });
    expect(expandPort('90-80')).toMatchObject({ message: 'invalid containerPort: 90-80' });
    expect(expandPort('1-3:1-2')).toMatchObject({ message: 'invalid ranges specified for container and host Ports: 1-2 and 1-3' });
    expect(expandPort('localhost:1:1')).toMatchObject({ message: 'invalid IP address: localhost' });
  });
});
