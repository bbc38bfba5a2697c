import type { ImageConfig } from '../../../compiler/index.js';
import type { llb } from '../../../compiler/index.js';

/** The default PATH BuildKit gives Linux images that have none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** One history entry of an image config. */
export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
  author?: string;
}

/** The mutable image config a stage builds up while its instructions are dispatched. */
export interface DockerImage {
  architecture?: string;
  os?: string;
  variant?: string;
  'os.version'?: string;
  author?: string;
  created?: string;
  config: {
    User?: string;
    ExposedPorts?: { [port: string]: object };
    Env?: string[];
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Volumes?: { [path: string]: object };
    WorkingDir?: string;
    Labels?: { [key: string]: string };
    StopSignal?: string;
    Shell?: string[];
    OnBuild?: string[] | null;
    ArgsEscaped?: boolean;
    Healthcheck?: { Test?: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
  };
  rootfs?: { type: 'layers'; diff_ids: string[] };
  history?: HistoryEntry[];
}

/** The config of an empty (`scratch`) image for a platform. */
export function emptyImage(p: llb.Platform): DockerImage {
  return {
    architecture: p.architecture,
    os: p.os,
    ...(p.variant ? { variant: p.variant } : {}),
    ...(p.osVersion ? { 'os.version': p.osVersion } : {}),
    rootfs: { type: 'layers', diff_ids: [] },
    config: { WorkingDir: '/', ...(p.os !== 'windows' ? { Env: [`PATH=${DEFAULT_PATH}`] } : {}) },
  };
}

/** A deep copy (stages inherit a copy of their base's config). */
export function cloneImage(img: DockerImage): DockerImage {
  return structuredClone(img);
}

/** Reads an image config JSON document (a resolved base image's config). */
export function imageFromConfig(config: ImageConfig): DockerImage {
  const img = structuredClone(config) as unknown as DockerImage;
  img.config ??= {};
  delete img.created;
  return img;
}

/** Sets `KEY=value` in an env array, replacing the key in place as Docker does. */
export function addEnv(env: string[] | undefined, key: string, value: string): string[] {
  const out = [...(env ?? [])];
  const at = out.findIndex((kv) => kv.split('=', 1)[0] === key);
  if (at >= 0) out[at] = `${key}=${value}`;
  else out.push(`${key}=${value}`);
  return out;
}

/** Appends a history entry (`# buildkit` marks an entry whose layer came from a build step). */
export function commitToHistory(img: DockerImage, message: string, withLayer: boolean, fromState: boolean, created?: string): void {
  (img.history ??= []).push({
    ...(created ? { created } : {}),
    created_by: fromState ? `${message} # buildkit` : message,
    comment: 'buildkit.dockerfile.v0',
    ...(withLayer ? {} : { empty_layer: true }),
  });
}

/**
 * Drops config fields Go leaves out of BuildKit's image JSON: every field of the
 * OCI/Docker config is `omitempty`, so a null or empty list or map (a CMD reset
 * by ENTRYPOINT, `CMD []`, triggers consumed by a child stage) is absent, not
 * `null` or `[]`.
 */
export function omitEmptyConfig(img: DockerImage): void {
  const config = img.config as { [key: string]: unknown };
  for (const [key, value] of Object.entries(config)) {
    const empty = value === null || value === undefined || value === '' || value === false
      || (Array.isArray(value) && value.length === 0)
      || (typeof value === 'object' && !Array.isArray(value) && Object.keys(value).length === 0);
    if (empty) delete config[key];
  }
}
