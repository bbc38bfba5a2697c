import { DiagnosticError, llb } from '../../compiler/index.js';
import type { Gateway, ImageConfig } from '../../compiler/index.js';
import type { MockerImage, ParsedMockerfile } from './parse-mockerfile.js';

/** The package manager an image has: chosen by looking inside it (a nested solve), else by its name. */
export type PackageManager = 'apt' | 'apk';

/** One compiled image: its final state and its image config. */
export interface CompiledImage {
  readonly state: llb.State;
  readonly config: ImageConfig;
}

const SHELL = ['/bin/sh', '-c'];

function asArgs(c: string | readonly string[]): string[] {
  return typeof c === 'string' ? [...SHELL, c] : [...c];
}

/** Single-quotes a word for sh. */
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Looks inside the base image (a nested solve through the Gateway) for apk or apt-get. */
async function packageManagerOf(base: llb.State, from: string, gw: Gateway): Promise<PackageManager> {
  try {
    const ref = await gw.solve(await base.marshal());
    for (const [path, pm] of [['/sbin/apk', 'apk'], ['/usr/bin/apt-get', 'apt']] as const) {
      if (await gw.stat(ref, path).then(() => true, () => false)) return pm;
    }
  } catch {
    // No solver behind the gateway (kiln compile): decide by the name below.
  }
  return /alpine/i.test(from) ? 'apk' : 'apt';
}

/** The RUN lines that add repositories, keys and packages with the image's package manager. */
function packageSteps(img: MockerImage, pm: PackageManager, name: string): { keys: { url: string; dest: string }[]; run?: string } {
  const p = img.package;
  if (!p || (!p.install?.length && !p.repo?.length)) return { keys: [] };
  const keys = (p.gpg ?? []).map((url, i) => ({
    url,
    dest: pm === 'apt' ? `/etc/apt/trusted.gpg.d/mockerfile-${name}-${i}.asc` : `/etc/apk/keys/mockerfile-${name}-${i}.rsa.pub`,
  }));
  const lines: string[] = [];
  if (pm === 'apt') {
    if (p.repo?.length) lines.push(`printf '%s\\n' ${p.repo.map(q).join(' ')} > /etc/apt/sources.list.d/mockerfile-${name}.list`);
    lines.push('apt-get update');
    if (p.install?.length) lines.push(`DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${p.install.map(q).join(' ')}`);
    lines.push('rm -rf /var/lib/apt/lists/*');
  } else {
    if (p.repo?.length) lines.push(`printf '%s\\n' ${p.repo.map(q).join(' ')} >> /etc/apk/repositories`);
    if (p.install?.length) lines.push(`apk add --no-cache ${p.install.map(q).join(' ')}`);
  }
  return { keys, run: lines.join(' && ') };
}

/** Whether an external is an archive to unpack at its destination. */
const isArchive = (src: string): boolean => /\.(tar\.gz|tgz|tar\.xz|tar\.bz2|tar)$/.test(new URL(src).pathname);

/**
 * Compiles every image of a Mockerfile, in order (a `parent` must come earlier): the base
 * (`from`, with its image config resolved through the Gateway, or the parent image), package
 * repositories, keys and installs for the image's package manager, externals as checksummed
 * `https://` sources copied (archives unpacked) into place with their `install` commands run
 * in the image, then `env`, `workdir`, `user`, `steps`, and `cmd`/`entrypoint` for the config.
 */
export async function mockerfileToLlb(parsed: ParsedMockerfile, filename: string, source: string, gw: Gateway, platform?: llb.Platform): Promise<Map<string, CompiledImage>> {
  const out = new Map<string, CompiledImage>();
  const fail = (path: (string | number)[], message: string, hint?: string): never => {
    throw new DiagnosticError([{ id: 'mockerfile/invalid', severity: 'error', message, range: parsed.rangeOf(path), ...(hint ? { hint } : {}) }], filename, source);
  };
  for (const [i, img] of parsed.file.images.entries()) {
    if (out.has(img.name)) fail(['images', i, 'name'], `two images are named ${JSON.stringify(img.name)}`);
    if ((img.from === undefined) === (img.parent === undefined)) fail(['images', i], `image ${JSON.stringify(img.name)} needs exactly one of "from" and "parent"`);
    let state: llb.State;
    let config: ImageConfig;
    if (img.parent !== undefined) {
      const parent = out.get(img.parent);
      if (!parent) {
        fail(['images', i, 'parent'], `image ${JSON.stringify(img.name)}: no earlier image is named ${JSON.stringify(img.parent)}`,
          out.size ? `images defined before it: ${[...out.keys()].join(', ')}` : 'a parent must be defined above the image that uses it');
      }
      ({ state, config } = parent!);
    } else {
      const resolved = await gw.resolveImageConfig(img.from!, platform);
      const c = resolved.config.config ?? {};
      state = llb.image(resolved.digest ? `${img.from!}@${resolved.digest}` : img.from!, {
        config: { ...(c.Env ? { Env: c.Env } : {}), ...(c.WorkingDir ? { WorkingDir: c.WorkingDir } : {}), ...(c.User ? { User: c.User } : {}) },
        customName: `[${img.name}] FROM ${img.from!}`,
        ...(platform ? { platform } : {}),
      });
      config = { ...resolved.config, history: [...(resolved.config.history ?? [])] };
    }
    const history = [...(config.history ?? [])];
    const step = (s: llb.State, what: string, shell: string): llb.State => {
      history.push({ created_by: `${what} ${shell}`.slice(0, 512), comment: 'kiln mockerfile' });
      return s.run({ args: [...SHELL, shell], customName: `[${img.name}] ${what} ${shell}`.slice(0, 200) }).root();
    };
    const pm = img.package ? await packageManagerOf(state, img.from ?? img.parent!, gw) : 'apt';
    const pkgs = packageSteps(img, pm, img.name);
    for (const k of pkgs.keys) {
      history.push({ created_by: `key ${k.url} -> ${k.dest}`, comment: 'kiln mockerfile' });
      state = state.file(llb.copy(llb.http(k.url, { filename: 'key' }), '/key', k.dest, { mode: 0o644, createDestPath: true }), { customName: `[${img.name}] key ${k.url}` });
    }
    if (pkgs.run) state = step(state, pm === 'apt' ? 'apt-get' : 'apk', pkgs.run);
    for (const [j, ext] of (img.external ?? []).entries()) {
      const name = new URL(ext.src).pathname.split('/').filter(Boolean).pop() ?? 'download';
      const dl = llb.http(ext.src, { checksum: `sha256:${ext.sha256}`, filename: name, customName: `[${img.name}] download ${ext.src}` });
      state = state.file(llb.copy(dl, `/${name}`, ext.dst, { attemptUnpack: isArchive(ext.src), createDestPath: true, mode: isArchive(ext.src) ? undefined : 0o755 }), {
        customName: `[${img.name}] external ${ext.src} -> ${ext.dst}`,
      });
      history.push({ created_by: `external ${ext.src} -> ${ext.dst}`, comment: 'kiln mockerfile' });
      if (ext.install?.length) state = step(state, `install (external ${j + 1})`, ext.install.join(' && '));
    }
    const env = Object.entries(img.env ?? {});
    for (const [k, v] of env) state = state.env(k, String(v));
    if (img.workdir) state = state.dir(img.workdir);
    if (img.user) state = state.user(img.user);
    for (const s of img.steps ?? []) state = step(state, 'RUN', s);
    const c = config.config ?? {};
    const envList = [...(c.Env ?? []).filter((e) => !env.some(([k]) => e.startsWith(`${k}=`))), ...env.map(([k, v]) => `${k}=${String(v)}`)];
    config = {
      ...config,
      config: {
        ...c,
        ...(envList.length ? { Env: envList } : {}),
        ...(img.workdir ? { WorkingDir: img.workdir } : {}),
        ...(img.user ? { User: img.user } : {}),
        ...(img.entrypoint !== undefined ? { Entrypoint: asArgs(img.entrypoint), Cmd: null } : {}),
        ...(img.cmd !== undefined ? { Cmd: asArgs(img.cmd) } : {}),
      },
      history,
    };
    out.set(img.name, { state, config });
  }
  return out;
}
