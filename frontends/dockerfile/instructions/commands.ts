import type { SourceRange } from '../../../grammars/diagnostic.js';
import type { InstructionNode } from '../../../grammars/dockerfile/ast.js';

/**
 * Typed Dockerfile instructions: BuildKit's `frontend/dockerfile/instructions`
 * as a discriminated union. Arguments are kept unexpanded (variables are
 * expanded during conversion, per stage, as BuildKit does), except where BuildKit
 * expands them at parse time (none). Every command keeps its node and range.
 */

interface Base {
  /** The AST node the command came from (for errors and the source map). */
  readonly node: InstructionNode;
  readonly range: SourceRange;
}

/** `name=value`, unexpanded. */
export interface KeyValue {
  readonly key: string;
  readonly value: string;
  /** Written without `=` (legacy `ENV k v` / `LABEL k v`); BuildKit's `NoDelim`. */
  readonly noDelim?: boolean;
}

/** `name[=value]` of ARG. */
export interface KeyValueOptional {
  readonly key: string;
  readonly value?: string;
  /** The description comment above the ARG (`# <key> <description>`), when there is one. */
  readonly comment?: string;
}

/** The command line of RUN/CMD/ENTRYPOINT/HEALTHCHECK. */
export interface ShellDependantCmdLine {
  /** Shell form: one element, the command string; exec form: the argv. */
  readonly cmdLine: readonly string[];
  /** True for shell form: the stage's SHELL is prepended. */
  readonly prependShell: boolean;
}

/** A heredoc file of RUN (`RUN <<EOF … EOF`) or a COPY/ADD source. */
export interface HeredocFile {
  readonly name: string;
  readonly data: string;
  readonly expand: boolean;
  readonly chomp: boolean;
}

export interface EnvCommand extends Base { readonly kind: 'env'; readonly env: readonly KeyValue[] }
export interface MaintainerCommand extends Base { readonly kind: 'maintainer'; readonly maintainer: string }
export interface LabelCommand extends Base { readonly kind: 'label'; readonly labels: readonly KeyValue[]; /** legacy `LABEL k v` form */ readonly noExp: boolean }

/** `RUN --mount=…` parsed (values unexpanded except where noted). */
export interface RunMount {
  readonly type: 'bind' | 'cache' | 'tmpfs' | 'secret' | 'ssh';
  readonly from?: string;
  readonly source?: string;
  readonly target?: string;
  readonly readOnly: boolean;
  /** Set when the user wrote `readonly`/`rw` explicitly. */
  readonly readOnlyExplicit: boolean;
  readonly cacheId?: string;
  readonly cacheSharing?: 'shared' | 'private' | 'locked';
  readonly required: boolean;
  readonly env?: string;
  readonly mode?: number;
  readonly uid?: number;
  readonly gid?: number;
  readonly sizeLimit?: number;
  /** The `--mount` value as written: conversion re-parses it with an expander (`parseMount(spec, expand)`), as BuildKit's `RunCommand.Expand` does. */
  readonly spec?: string;
  /** Some value holds a variable: those fields are kept raw (strings) or left unset (typed), to be re-parsed from `spec` once expanded. */
  readonly deferred?: boolean;
}

export interface RunCommand extends Base, ShellDependantCmdLine {
  readonly kind: 'run';
  readonly files: readonly HeredocFile[];
  readonly mounts: readonly RunMount[];
  readonly network?: 'default' | 'none' | 'host';
  readonly security?: 'sandbox' | 'insecure';
  readonly devices: readonly { readonly name: string; readonly required: boolean }[];
  /** Every flag as written, for the `com.docker.dockerfile.v1.command` description. */
  readonly flagsUsed: readonly string[];
}

export interface CmdCommand extends Base, ShellDependantCmdLine { readonly kind: 'cmd'; readonly files: readonly HeredocFile[] }
export interface EntrypointCommand extends Base, ShellDependantCmdLine { readonly kind: 'entrypoint'; readonly files: readonly HeredocFile[] }

export interface HealthcheckCommand extends Base {
  readonly kind: 'healthcheck';
  /** `["NONE"]`, or `["CMD", …]` / `["CMD-SHELL", cmd]`. */
  readonly test: readonly string[];
  /** Durations in nanoseconds; 0 when not given. */
  readonly interval: number;
  readonly timeout: number;
  readonly startPeriod: number;
  readonly startInterval: number;
  readonly retries: number;
}

/** Sources and destination of COPY/ADD. */
export interface SourcesAndDest {
  readonly sourcePaths: readonly string[];
  readonly sourceContents: readonly { readonly path: string; readonly data: string; readonly expand: boolean }[];
  readonly destPath: string;
}

interface CopyLike extends Base, SourcesAndDest {
  readonly chown?: string;
  readonly chmod?: string;
  readonly link: boolean;
  readonly parents: boolean;
  readonly excludes: readonly string[];
}

export interface AddCommand extends CopyLike {
  readonly kind: 'add';
  readonly checksum?: string;
  readonly keepGitDir?: boolean;
  readonly unpack?: boolean;
}

export interface CopyCommand extends CopyLike {
  readonly kind: 'copy';
  readonly from?: string;
}

export interface OnbuildCommand extends Base { readonly kind: 'onbuild'; readonly expression: string }
export interface WorkdirCommand extends Base { readonly kind: 'workdir'; readonly path: string }
export interface ExposeCommand extends Base { readonly kind: 'expose'; readonly ports: readonly string[] }
export interface UserCommand extends Base { readonly kind: 'user'; readonly user: string }
export interface VolumeCommand extends Base { readonly kind: 'volume'; readonly volumes: readonly string[] }
export interface StopSignalCommand extends Base { readonly kind: 'stopsignal'; readonly signal: string }
export interface ArgCommand extends Base { readonly kind: 'arg'; readonly args: readonly KeyValueOptional[] }
export interface ShellCommand extends Base { readonly kind: 'shell'; readonly shell: readonly string[] }

/** Any instruction except FROM. */
export type Command =
  | EnvCommand | MaintainerCommand | LabelCommand | RunCommand | CmdCommand | EntrypointCommand | HealthcheckCommand
  | AddCommand | CopyCommand | OnbuildCommand | WorkdirCommand | ExposeCommand | UserCommand | VolumeCommand
  | StopSignalCommand | ArgCommand | ShellCommand;

/** A `FROM` instruction as parsed on its own (before it is grouped into a {@link Stage}). */
export interface FromCommand extends Base {
  readonly kind: 'from';
  /** The base: an image reference, `scratch`, or another stage's name (unexpanded). */
  readonly baseName: string;
  /** `AS name`, lower-cased; undefined when unnamed. */
  readonly name?: string;
  /** `--platform`, unexpanded; undefined when not given. */
  readonly platform?: string;
  /** The description comment above FROM (`# <name> <description>`). */
  readonly comment?: string;
}

/** What one instruction parses to: a command, or the FROM that starts a stage. */
export type Instruction = Command | FromCommand;

/** A `FROM` and the commands up to the next one. */
export interface Stage {
  /** `AS name`, lower-cased; undefined when unnamed. */
  readonly name?: string;
  /** The base: an image reference, `scratch`, or another stage's name or index (unexpanded). */
  readonly baseName: string;
  readonly platform?: string;
  readonly commands: readonly Command[];
  readonly node: InstructionNode;
  readonly range: SourceRange;
  /** Position among the file's stages. */
  readonly index: number;
  /** The comment right above FROM (used as the stage's description). */
  readonly comment?: string;
}

/** A parsed Dockerfile: ARGs before the first FROM, and the stages. */
export interface ParsedDockerfile {
  readonly metaArgs: readonly ArgCommand[];
  readonly stages: readonly Stage[];
}
