import { DiagnosticError, KilnError, dumpJsonLines } from '../../../compiler/index.js';
import type { Gateway } from '../../../compiler/index.js';
import { mockerfileFrontend, parseMockerfile } from '../../../frontends/mockerfile/index.js';

// The Mockerfile frontend without a solver: parse errors located in the YAML, every image
// compiled, externals as checksummed http sources, the image config from the base's.
const gw: Gateway = {
  solve: async () => { throw new KilnError('test/no-solver', 'no solver here'); },
  readFile: async () => new Uint8Array(),
  readDir: async () => [],
  stat: async () => ({ path: '/', mode: 0, size: 0, uid: 0, gid: 0 }),
  resolveImageConfig: async (ref) => ({ ref, digest: `sha256:${'a'.repeat(64)}`, config: { config: { Env: ['PATH=/usr/bin:/bin'], Cmd: ['sh'] }, history: [{ created_by: 'base' }] } }),
};

function errorsOf(text: string): DiagnosticError {
  try {
    parseMockerfile(text, 'Mockerfile.yaml');
  } catch (err) {
    if (err instanceof DiagnosticError) return err;
    throw err;
  }
  throw new Error('no error');
}

const SHA = 'b'.repeat(64);
const FILE = `apiVersion: v1alpha1
images:
- name: base
  from: debian:bookworm
  package:
    repo:
    - deb http://deb.debian.org/debian bookworm main
    install:
    - curl
    - ca-certificates
  env:
    LANG: C.UTF-8
- name: app
  parent: base
  external:
  - src: https://example.com/tool-1.0.tar.gz
    dst: /opt/tool
    sha256: ${SHA}
    install:
    - ln -s /opt/tool/bin/tool /usr/local/bin/tool
  - src: https://example.com/bin/kubectl
    dst: /usr/local/bin/kubectl
    sha256: ${SHA}
  workdir: /srv
  steps:
  - echo built > /srv/built
  cmd: ["tool", "--serve"]
`;

describe('Mockerfile', () => {
  it('locates YAML syntax errors', () => {
    const err = errorsOf('apiVersion: v1alpha1\nimages:\n- name: a\n  from: [unclosed\n');
    expect(err.diagnostics[0]!.id).toBe('mockerfile/yaml');
    expect(err.message).toMatch(/Mockerfile\.yaml:\d+:\d+/);
  });

  it('locates schema errors at the offending key, with the line and a caret', () => {
    const err = errorsOf('apiVersion: v1alpha1\nimages:\n- name: a\n  from: alpine\n  extrnal:\n  - src: https://x/y\n');
    const d = err.diagnostics[0]!;
    expect(d.message).toContain('unknown key "extrnal" in images.0');
    expect(d.range.start).toEqual({ line: 5, character: 2 });
    expect(err.message).toContain('5 |   extrnal:');
    expect(err.message).toContain('^');
    const sha = errorsOf(`apiVersion: v1alpha1\nimages:\n- name: a\n  from: alpine\n  external:\n  - src: https://x/y\n    dst: /y\n    sha256: nothex\n`);
    expect(sha.diagnostics[0]!.range.start.line).toBe(8);
    expect(sha.diagnostics[0]!.message).toContain('images.0.external.0.sha256 does not match');
  });

  it('names a parent that is not defined above', async () => {
    const text = 'apiVersion: v1alpha1\nimages:\n- name: a\n  parent: b\n- name: b\n  from: alpine\n';
    const err = await mockerfileFrontend.build({ source: new TextEncoder().encode(text), filename: 'Mockerfile.yaml', opts: {} }, gw).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticError);
    expect((err as DiagnosticError).diagnostics[0]!.range.start.line).toBe(4);
    expect((err as DiagnosticError).message).toContain('no earlier image is named "b"');
  });

  it('compiles every image; externals are checksummed http sources; the config builds on the base', async () => {
    const req = { source: new TextEncoder().encode(FILE), filename: 'Mockerfile.yaml', opts: {} };
    const app = await mockerfileFrontend.build(req, gw);
    const ops = dumpJsonLines(app.definition).join('\n');
    expect(ops).toContain('"identifier":"https://example.com/tool-1.0.tar.gz"');
    expect(ops).toContain(`"http.checksum":"sha256:${SHA}"`);
    expect(ops).toMatch(/"attemptUnpackDockerCompatibility":true/);
    expect(ops).toContain('apt-get install -y --no-install-recommends');
    expect(ops).toContain('ln -s /opt/tool/bin/tool /usr/local/bin/tool');
    expect(app.imageConfig?.config?.Cmd).toEqual(['tool', '--serve']);
    expect(app.imageConfig?.config?.Env).toEqual(['PATH=/usr/bin:/bin', 'LANG=C.UTF-8']);
    expect(app.imageConfig?.config?.WorkingDir).toBe('/srv');
    const base = await mockerfileFrontend.build({ ...req, target: 'base' }, gw);
    expect(dumpJsonLines(base.definition).join('\n')).not.toContain('example.com');
    await expect(mockerfileFrontend.build({ ...req, target: 'nope' }, gw)).rejects.toThrow(/no image named "nope".*base, app/);
  });
});
