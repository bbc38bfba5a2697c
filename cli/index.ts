// Public surface of cli/: the command line as a function, for tests and embedding.
export { main } from './main.js';
export { reportError, UsageError } from './errors.js';
