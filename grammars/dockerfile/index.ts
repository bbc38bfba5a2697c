// Public surface of grammars/dockerfile: the Dockerfile parser (BuildKit's
// frontend/dockerfile/parser) and the helpers its tests and the frontend use.
export type { Directives, DockerfileAst, Heredoc, InstructionNode, ParseResult } from './ast.js';
export { detectSyntax, parseAllDirectives, parseDirective } from './directives.js';
export type { Directive, DirectiveName, DirectiveValue } from './directives.js';
export { chompHeredocContent, heredocsFromLine, parseHeredoc } from './heredoc.js';
export type { HeredocError, HeredocMarker } from './heredoc.js';
export { parseJsonArray } from './json-array.js';
export type { JsonArrayResult } from './json-array.js';
export { parseWords } from './parse-words.js';
export { parseDockerfile } from './parser.js';
export { MAX_LINE_BYTES } from './physical-lines.js';
