// The Mockerfile frontend: YAML (github.com/r2d4/mockerfile's format) to LLB.
export { mockerfileFrontend } from './mockerfile-frontend.js';
export { mockerfileToLlb } from './mockerfile-to-llb.js';
export type { CompiledImage, PackageManager } from './mockerfile-to-llb.js';
export { parseMockerfile } from './parse-mockerfile.js';
export type { MockerImage, Mockerfile, ParsedMockerfile } from './parse-mockerfile.js';
