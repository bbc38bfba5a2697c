import { chooseFrontendName, syntaxDirective } from '../../frontends/select.js';

const enc = (s: string) => new TextEncoder().encode(s);

describe('choosing a frontend', () => {
  it('takes --frontend first, then # syntax=, then the file name, then the content', () => {
    expect(chooseFrontendName('./x.mjs', 'Dockerfile', enc('# syntax=mockerfile\n'))).toBe('./x.mjs');
    expect(chooseFrontendName(undefined, 'Dockerfile', enc('# syntax=mockerfile\nFROM x\n'))).toBe('mockerfile');
    expect(chooseFrontendName(undefined, 'app/Mockerfile.yaml', enc('apiVersion: v1alpha1\n'))).toBe('mockerfile');
    expect(chooseFrontendName(undefined, 'project.toml', enc('[_]\n'))).toBe('buildpacks');
    expect(chooseFrontendName(undefined, 'api.Dockerfile', enc('FROM x\n'))).toBe('dockerfile');
    expect(chooseFrontendName(undefined, 'build.yaml', enc('apiVersion: v1alpha1\nimages:\n- name: a\n'))).toBe('mockerfile');
    expect(chooseFrontendName(undefined, 'ci.toml', enc('[io.buildpacks]\nbuilder = "x"\n'))).toBe('buildpacks');
    expect(chooseFrontendName(undefined, 'whatever', enc('FROM x\n'))).toBe('dockerfile');
  });

  it("reads BuildKit's syntax directive; a dockerfile image means kiln's own Dockerfile frontend", () => {
    expect(syntaxDirective(enc('# syntax=docker/dockerfile:1.7\nFROM x\n'))).toBe('dockerfile');
    expect(syntaxDirective(enc('#syntax = ./my-lang.mjs\n'))).toBe('./my-lang.mjs');
    expect(syntaxDirective(enc('FROM x\n# syntax=mockerfile\n'))).toBeUndefined();
  });
});
