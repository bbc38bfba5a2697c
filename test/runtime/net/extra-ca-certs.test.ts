import { jest } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adoptDeferredCaCerts, DEFERRED_CA_CERTS_ENV, readCertificates } from '../../../runtime/net/extra-ca-certs.js';

// A self-signed P-256 certificate for CN=kiln-test, made with openssl for this test.
const PEM = `-----BEGIN CERTIFICATE-----
MIIBfTCCASOgAwIBAgIUZnn1FVhpityURjUtfW7/rMYr4e8wCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJa2lsbi10ZXN0MB4XDTI2MTEyODE2MjgzNVoXDTM2MTEyNTE2
MjgzNVowFDESMBAGA1UEAwwJa2lsbi10ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0D
AQcDQgAERshHAYYTaeWKGaoPwKgsad+C6skfGbnOGs1SSmRHBqJFNQbqoTuLbv81
OYRtkbONMOTA5KUF2kTPpD9muLFIc6NTMFEwHQYDVR0OBBYEFM5ovDf1cPGs8zz2
JBOk8Gw+tUT4MB8GA1UdIwQYMBaAFM5ovDf1cPGs8zz2JBOk8Gw+tUT4MA8GA1Ud
EwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhAPA0KsqFVeqDVrGobjmA3HJp
zjZxth3Mi0QpZjCg5iaXAiA5cJZn0pIVbMVaxBAIBCfvBPdsNKZdHQsFID8iFkwU
ug==
-----END CERTIFICATE-----`;

describe('NODE_EXTRA_CA_CERTS, deferred', () => {
  it('gives the variable back to the environment child processes get', () => {
    const env: NodeJS.ProcessEnv = { [DEFERRED_CA_CERTS_ENV]: '/etc/corp-ca.pem', PATH: '/bin' };
    adoptDeferredCaCerts(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/corp-ca.pem', PATH: '/bin' });
    const untouched: NodeJS.ProcessEnv = { NODE_EXTRA_CA_CERTS: '/x.pem' };
    adoptDeferredCaCerts(untouched);
    expect(untouched).toEqual({ NODE_EXTRA_CA_CERTS: '/x.pem' });
  });

  describe('readCertificates', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-ca-'));
    let warned: string;
    beforeEach(() => {
      warned = '';
      jest.spyOn(process.stderr, 'write').mockImplementation((s) => { warned += String(s); return true; });
    });
    afterEach(() => jest.restoreAllMocks());

    it('takes every PEM certificate of a bundle, text around them included', () => {
      const file = join(dir, 'bundle.pem');
      writeFileSync(file, `# corp roots\n${PEM}\nsome note\n${PEM}\n`);
      expect(readCertificates(file, (pem) => new X509Certificate(pem))).toEqual([PEM, PEM]);
      expect(warned).toBe('');
    });

    it('warns and trusts nothing from a missing, empty or broken file, as Node does', () => {
      const empty = join(dir, 'empty.pem');
      writeFileSync(empty, 'nothing here\n');
      expect(readCertificates(join(dir, 'missing.pem'), () => undefined)).toEqual([]);
      expect(warned).toMatch(/ignoring extra certs from .*missing\.pem.*ENOENT/);
      expect(readCertificates(empty, () => undefined)).toEqual([]);
      expect(warned).toContain('no PEM certificate');
      const broken = join(dir, 'broken.pem');
      writeFileSync(broken, `${PEM}\n${PEM.replace('MIIB', 'xxxx')}\n`);
      expect(readCertificates(broken, (pem) => new X509Certificate(pem))).toEqual([]);
      expect(warned).toMatch(/broken\.pem/);
    });
  });
});
