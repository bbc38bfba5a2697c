// The Dockerfile frontend: parser (grammars/dockerfile), typed instructions,
// shell word expansion, and conversion to LLB.
export { compileDockerfile, dockerfileFrontend } from './dockerfile-frontend.js';
export type { CompiledDockerfile } from './dockerfile-frontend.js';
export type { ConvertOptions, ResolveImageConfig } from './convert/convert-options.js';
export type { DockerImage } from './convert/image.js';
