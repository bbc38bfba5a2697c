// Public surface of compiler/patterns/: Docker's .dockerignore reading and path-pattern matching
// (moby/patternmatcher) and BuildKit's include/exclude filtering of a walked tree (fsutil).
export { filterPaths } from './filter-paths.js';
export type { CompiledGlob, MatchType } from './glob-compile.js';
export { cleanPath } from './go-path.js';
export { readIgnoreFile } from './ignore-file.js';
export { PathFilter } from './path-filter.js';
export type { FilterOptions, VisitResult } from './path-filter.js';
export { PatternError } from './pattern-error.js';
export type { PatternErrorCode } from './pattern-error.js';
export { Pattern } from './pattern.js';
export { matchesOrParentMatches, NO_MATCH_INFO, PatternMatcher } from './pattern-matcher.js';
export type { MatchInfo } from './pattern-matcher.js';
export { filepathMatch } from './glob-syntax.js';
