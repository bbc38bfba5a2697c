// The buildpacks frontend: a project.toml and CNB buildpack directories to LLB.
export { buildpacksFrontend } from './buildpacks-frontend.js';
export { parseProject } from './parse-project.js';
export type { GroupEntry, Project } from './parse-project.js';
