import { ESLint } from 'eslint';
import { repoRoot } from './support/corpus.js';

// The pipeline's import direction (docs/DESIGN.md) is enforced by lint; these
// make sure a wrong arrow really fails.
const eslint = new ESLint({ cwd: repoRoot });

async function errorsFor(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${repoRoot}/${file}` });
  return (result?.messages ?? []).map((m) => m.ruleId ?? '');
}

describe('import layering', () => {
  it.each([
    ['compiler/x.ts', "import { a } from '../runtime/a.js';"],
    ['compiler/x.ts', "import { a } from '../frontends/a.js';"],
    ['runtime/x.ts', "import { a } from '../frontends/dockerfile/a.js';"],
    ['frontends/x.ts', "import { a } from '../runtime/solver/a.js';"],
    ['grammars/x.ts', "import { a } from '../compiler/a.js';"],
  ])('%s may not import %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\nexport const b = a;\n`)).toContain('no-restricted-imports');
  });

  it.each([
    ['frontends/x.ts', "import { a } from '../compiler/a.js';"],
    ['runtime/x.ts', "import { a } from '../compiler/a.js';"],
    ['cli/x.ts', "import { a } from '../runtime/a.js';"],
  ])('%s may import %s', async (file, code) => {
    expect(await errorsFor(file, `${code}\nexport const b = a;\n`)).not.toContain('no-restricted-imports');
  });
});
