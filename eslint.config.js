// Lint: typescript-eslint's recommended rules plus kiln's one-way pipeline:
// grammars <- compiler <- frontends, compiler <- runtime, cli on top (docs/DESIGN.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Forbids imports of the given top-level folders from files in `files`. */
function layer(files, forbidden, why) {
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', {
        patterns: forbidden.map((dir) => ({ group: [`**/${dir}/**`, `**/${dir}`], message: `${why} (see docs/DESIGN.md, "Layout")` })),
      }],
    },
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'compiler/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', Buffer: 'readonly', console: 'readonly', URL: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', NodeJS: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports (STYLE.md rule 3).' }],
    },
  },
  layer(['grammars/**'], ['compiler', 'frontends', 'runtime', 'cli'], 'grammars/ imports nothing of ours'),
  layer(['compiler/**'], ['frontends', 'runtime', 'cli'], 'compiler/ may import only grammars/'),
  layer(['frontends/**'], ['runtime', 'cli'], 'frontends/ may import only grammars/ and compiler/'),
  layer(['runtime/**'], ['frontends', 'cli'], 'runtime/ knows LLB, never a frontend; the CLI hands it a Frontend'),
  { files: ['*.config.js', 'scripts/**'], rules: { 'no-restricted-syntax': 'off' } },
  { files: ['**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } } },
);
