// Public surface of frontends/: one folder per build language. Each compiles
// its language to LLB through compiler/'s State builder and implements
// compiler's `Frontend` type.
export type { Frontend, FrontendRequest, FrontendResult, Gateway } from '../compiler/index.js';
export { compileDockerfile, dockerfileFrontend } from './dockerfile/index.js';
export type { CompiledDockerfile, ConvertOptions, DockerImage, ResolveImageConfig } from './dockerfile/index.js';
export { builtinFrontendNames, frontendByName, loadFrontend } from './registry.js';
export { BUILD_FILES, BUILTIN_FRONTENDS, chooseFrontendName, frontendForContent, frontendForFile, isBuiltinFrontend, syntaxDirective } from './select.js';
export { mockerfileFrontend, parseMockerfile } from './mockerfile/index.js';
