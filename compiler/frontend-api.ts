/**
 * The contract between build languages (frontends) and solvers: types only,
 * so frontends and the runtime meet without importing each other.
 */
import type { Definition } from './definition.js';
import type { Platform } from './llb/platform.js';

/** The OCI image config a build produces (the `config` part and its neighbours). */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly config?: {
    readonly User?: string;
    readonly ExposedPorts?: { readonly [port: string]: object };
    readonly Env?: readonly string[];
    readonly Entrypoint?: readonly string[] | null;
    readonly Cmd?: readonly string[] | null;
    readonly Volumes?: { readonly [path: string]: object };
    readonly WorkingDir?: string;
    readonly Labels?: { readonly [key: string]: string };
    readonly StopSignal?: string;
    readonly Shell?: readonly string[];
    readonly OnBuild?: readonly string[] | null;
    readonly ArgsEscaped?: boolean;
    readonly Healthcheck?: {
      readonly Test?: readonly string[];
      readonly Interval?: number;
      readonly Timeout?: number;
      readonly StartPeriod?: number;
      readonly StartInterval?: number;
      readonly Retries?: number;
    };
  };
  readonly rootfs?: { readonly type: 'layers'; readonly diff_ids: readonly string[] };
  readonly history?: readonly {
    readonly created?: string;
    readonly created_by?: string;
    readonly comment?: string;
    readonly empty_layer?: boolean;
  }[];
}

/** What a frontend is asked to build. */
export interface FrontendRequest {
  /** The build file's bytes (a Dockerfile, a mocker.yaml…). */
  readonly source: Uint8Array;
  readonly filename: string;
  /** `--opt k=v` and `--build-arg` values (`build-arg:NAME`), as BuildKit passes them. */
  readonly opts: { readonly [key: string]: string };
  readonly target?: string;
  readonly platform?: Platform;
  /**
   * Stable per client and context directory: frontends write it to `local.unique`, so one
   * context keeps its cache across builds (BuildKit uses its session id).
   */
  readonly sessionId?: string;
  /**
   * Reads a small file of one of the client's local directories (`context`, `dockerfile`),
   * confined to it: what a nested solve of that local source would give, without one.
   * Resolves to undefined when the file does not exist.
   */
  readonly readLocalFile?: (local: string, path: string) => Promise<Uint8Array | undefined>;
}

/** What a frontend returns: the graph and the image config of its result. */
export interface FrontendResult {
  readonly definition: Definition;
  readonly imageConfig?: ImageConfig;
}

/** A solved result a frontend can look into. */
export interface Ref {
  readonly id: string;
}

/** One directory entry of a solved result. */
export interface Stat {
  readonly path: string;
  readonly mode: number;
  readonly size: number;
  readonly uid: number;
  readonly gid: number;
  readonly linkname?: string;
}

/** Services a solver offers frontends: nested solves and looking inside results. */
export interface Gateway {
  solve(def: Definition, signal?: AbortSignal): Promise<Ref>;
  readFile(ref: Ref, path: string): Promise<Uint8Array>;
  readDir(ref: Ref, path: string): Promise<readonly Stat[]>;
  stat(ref: Ref, path: string): Promise<Stat>;
  resolveImageConfig(ref: string, platform?: Platform): Promise<{ readonly ref: string; readonly digest: string; readonly config: ImageConfig }>;
}

/** A build language. */
export interface Frontend {
  /** `dockerfile`, `mockerfile`, `buildpacks`, or a package name. */
  readonly name: string;
  /** Whether this frontend can build a context with these files, when none is named. */
  detect?(files: readonly string[]): boolean;
  build(req: FrontendRequest, gw: Gateway): Promise<FrontendResult>;
}
