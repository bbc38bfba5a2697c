// Public surface of frontends/: one folder per build language (dockerfile/,
// mockerfile/, buildpacks/) and the registry that picks one. Each compiles its
// language to LLB through compiler/'s State builder and implements compiler's
// `Frontend` type. The languages arrive with issues 3 and 6.
export type { Frontend, FrontendRequest, FrontendResult, Gateway } from '../compiler/index.js';
