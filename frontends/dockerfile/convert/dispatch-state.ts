import type { llb } from '../../../compiler/index.js';
import type { Command, KeyValueOptional, Stage } from '../instructions/commands.js';
import type { DockerImage } from './image.js';

/** A command of a stage plus the stages it reads from (COPY --from, RUN --mount from). */
export interface StageCommand {
  readonly command: Command;
  readonly sources: readonly (DispatchState | undefined)[];
  readonly isOnBuild: boolean;
}

/**
 * The conversion state of one stage: its LLB state, the image config it builds,
 * and bookkeeping for step numbering and which context paths it reads.
 */
export class DispatchState {
  stage: Stage;
  /** The progress prefix name (`build`, `stage-0`), empty when the file has one stage. */
  stageName: string;
  state!: llb.State;
  image!: DockerImage;
  platform: llb.Platform | undefined;
  /** The stage this one is built `FROM`, when it names a stage. */
  base: DispatchState | undefined;
  deps = new Set<DispatchState>();
  buildArgs: KeyValueOptional[] = [];
  commands: StageCommand[] = [];
  /** Paths of the build context this stage reads (they become `local.followpaths`). */
  ctxPaths = new Set<string>();
  /** Paths of this stage that others read. */
  paths = new Set<string>();
  cmdIndex = 0;
  cmdTotal = 0;
  cmdIsOnBuild = false;
  dispatched = false;
  resolved = false;
  onBuildInit = false;
  /** A stage invented for `COPY --from=<image>` or `--mount from=<image>`. */
  unregistered: boolean;
  /** Whether the stage's ops point at its Dockerfile line (not so for stages implied by a mount). */
  located = true;
  workdirSet = false;
  cmdSet = false;
  ignoreCache = false;

  constructor(stage: Stage, stageName: string, unregistered = false) {
    this.stage = stage;
    this.stageName = stageName;
    this.unregistered = unregistered;
  }

  /**
   * Prefixes a step's name for progress output, `[stage 2/5] RUN …`, and
   * advances the step counter, as BuildKit's prefixCommand does.
   */
  prefix(text: string): string {
    if (this.cmdTotal === 0) return text;
    this.cmdIndex++;
    const width = 1 + Math.floor(Math.log10(this.cmdTotal));
    const counter = `${String(this.cmdIndex).padStart(width)}/${this.cmdTotal}`;
    return `[${this.stageName ? `${this.stageName} ` : ''}${counter}] ${this.cmdIsOnBuild ? 'ONBUILD ' : ''}${text}`;
  }
}

/** All stages, with lookup by name and index as COPY --from needs. */
export class DispatchStates {
  readonly states: DispatchState[] = [];
  readonly #byName = new Map<string, DispatchState>();

  add(ds: DispatchState): void {
    this.states.push(ds);
    const base = this.#byName.get(ds.stage.baseName.toLowerCase());
    if (base) ds.base = base;
    if (ds.stage.name) this.#byName.set(ds.stage.name.toLowerCase(), ds);
  }

  byName(name: string): DispatchState | undefined {
    return this.#byName.get(name.toLowerCase());
  }

  byIndex(index: number): DispatchState | undefined {
    return this.states[index];
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }
}
