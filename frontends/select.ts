import { basename } from 'node:path';

/** The build files kiln looks for in a context when none is named, in this order. */
export const BUILD_FILES = ['Dockerfile', 'Mockerfile.yaml', 'mocker.yaml', 'project.toml'] as const;

/** The built-in frontends' names (and BuildKit's name for the Dockerfile one). */
export const BUILTIN_FRONTENDS = ['dockerfile', 'dockerfile.v0', 'mockerfile', 'buildpacks'] as const;

/**
 * The `syntax` directive of a build file's first line: `# syntax=NAME` (a comment in a
 * Dockerfile and in YAML, TOML too). BuildKit names a frontend image there
 * (`docker/dockerfile:1`); any such name means kiln's own Dockerfile frontend.
 */
export function syntaxDirective(source: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(source.subarray(0, 512)).replace(/^\uFEFF/, '');
  const first = head.split(/\r?\n/, 1)[0] ?? '';
  const m = /^#\s*syntax\s*=\s*(\S+)\s*$/i.exec(first);
  if (!m) return undefined;
  const name = m[1]!;
  return /(^|\/)dockerfile(:|@|$)/.test(name) && !name.startsWith('.') ? 'dockerfile' : name;
}

/** The frontend a build file's name implies, if any. */
export function frontendForFile(filename: string): string | undefined {
  const f = basename(filename);
  if (f === 'Dockerfile' || f.endsWith('.Dockerfile') || f.endsWith('.dockerfile') || f.startsWith('Dockerfile.')) return 'dockerfile';
  if (f === 'Mockerfile.yaml' || f === 'Mockerfile.yml' || f === 'mocker.yaml' || f === 'mocker.yml' || f.endsWith('.mocker.yaml')) return 'mockerfile';
  if (f === 'project.toml') return 'buildpacks';
  return undefined;
}

/**
 * Which frontend builds a request: `--frontend` wins, then the file's `# syntax=` directive,
 * then its name; else the Dockerfile frontend. Light on purpose: a rebuild answered from the
 * frontend cache decides this without loading any frontend.
 */
export function chooseFrontendName(requested: string | undefined, filename: string, source: Uint8Array): string {
  return requested || syntaxDirective(source) || frontendForFile(filename) || frontendForContent(source) || 'dockerfile';
}

/**
 * The built-in frontend whose files look like this one (each frontend's `detect`, by
 * content, for a build file with a name of its own: `-f build.yaml`).
 */
export function frontendForContent(source: Uint8Array): string | undefined {
  const head = new TextDecoder().decode(source.subarray(0, 4096));
  if (/^apiVersion:\s*v1alpha1\s*$/m.test(head) && /^images:/m.test(head)) return 'mockerfile';
  if (/^\[io\.buildpacks\]|^\[\[io\.buildpacks\.group\]\]/m.test(head)) return 'buildpacks';
  return undefined;
}

/** Whether a name is one of kiln's own frontends (whose results the frontend cache may keep). */
export function isBuiltinFrontend(name: string): boolean {
  return (BUILTIN_FRONTENDS as readonly string[]).includes(name);
}
