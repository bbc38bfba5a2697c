import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Glob, ShellPatternError } from '../../../../frontends/dockerfile/shell/glob.js';
import { envFrom, ShellExpansionError, ShellLex } from '../../../../frontends/dockerfile/shell/index.js';
import { corpusDir } from '../../../support/corpus.js';
import { thrownBy } from '../../../support/errors.js';

// BuildKit's own shell-lexer tables (frontend/dockerfile/shell), read in place
// with the trimming rules of its Go harness (shared/corpus/README.md section 2).

const dir = corpusDir('buildkit-shell-lex');
const lines = (file: string) => readFileSync(join(dir, file), 'utf8').split(/\r?\n/);
/** Go's strings.TrimSpace: Unicode White_Space only (String.trim also strips U+FEFF). */
const goTrim = (s: string) => s.replace(/^\p{White_Space}+|\p{White_Space}+$/gu, '');
const sorted = (set: ReadonlySet<string>) => [...set].sort();

describe('envVarTest: ProcessWord with PWD, SHELL, KOREAN and NULL= set', () => {
  const env = envFrom(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
  const lex = new ShellLex('\\');
  const cases = lines('envVarTest')
    .map((line, i) => ({ line, lineNo: i + 1 }))
    .filter(({ line }) => !line.startsWith('#') && goTrim(line) !== '')
    .map(({ line, lineNo }) => {
      const fields = goTrim(line).split('|').map(goTrim);
      if (fields.length !== 3) throw new Error(`envVarTest:${lineNo}: expected 3 fields`);
      const [platform = '', source = '', expected = ''] = fields;
      return { platform, source, expected, lineNo };
    });
  // Windows-only lines test case-insensitive names; kiln expands with unix semantics.
  const unix = cases.filter((c) => c.platform === 'A' || c.platform === 'U');

  it('reads every line of the table', () => {
    expect(cases).toHaveLength(230);
    expect(unix).toHaveLength(228);
    expect(cases.every((c) => ['A', 'U', 'W'].includes(c.platform))).toBe(true);
  });

  // Titles are built here: jest's it.each would read `$#` and `%%` in them as placeholders.
  for (const { source, expected, lineNo } of unix) {
    if (expected !== 'error') {
      it(`line ${lineNo}: ${source} -> ${JSON.stringify(expected)}`, () => {
        expect(lex.processWord(source, env)).toBe(expected);
      });
    } else {
      it(`line ${lineNo}: ${source} fails`, () => {
        const err = thrownBy(ShellExpansionError, () => lex.processWord(source, env));
        expect(err.word).toBe(source);
        expect(err.message.startsWith('failed to process "')).toBe(true);
      });
    }
  }
});

describe('wordsTest: ProcessWords with ENV lines accumulating', () => {
  const lex = new ShellLex('\\');
  const cases: { input: string; expected: string[]; env: string[]; lineNo: number }[] = [];
  const env: string[] = [];
  const text = lines('wordsTest');
  text.forEach((line, i) => {
    if (line === '' && i === text.length - 1) return; // after the newline that ends the file
    if (line.startsWith('#')) return;
    if (line.startsWith('ENV ')) {
      env.push(line.slice(3).replace(/^ +/, ''));
      return;
    }
    const fields = line.split('|');
    if (fields.length !== 2) throw new Error(`wordsTest:${i + 1}: expected exactly one |`);
    // Only leading spaces go: some expectations end in significant spaces.
    cases.push({ input: goTrim(fields[0] ?? ''), expected: (fields[1] ?? '').replace(/^ +/, '').split(','), env: [...env], lineNo: i + 1 });
  });

  it('reads every case', () => {
    expect(cases).toHaveLength(24);
    expect(env).toEqual(['hi=hi', 'space=abc  def', 'leading=  ab c', 'trailing=ab c   ']);
  });

  for (const { input, expected, env: vars, lineNo } of cases) {
    it(`line ${lineNo}: ${input} -> ${JSON.stringify(expected)}`, () => {
      let words: string[];
      try {
        words = lex.processWords(input, envFrom(vars));
      } catch (err) {
        expect(err).toBeInstanceOf(ShellExpansionError);
        words = ['error'];
      }
      expect(words).toEqual(expected);
    });
  }
});

interface MatchCase {
  readonly input: string;
  readonly envs: Readonly<Record<string, string>>;
  readonly expectedErr: boolean;
  readonly expected?: string;
  readonly matched: readonly string[];
  readonly unmatched: readonly string[];
}
interface MatchesCorpus {
  readonly cases: readonly MatchCase[];
  readonly platformExample: { readonly input: string; readonly cases: readonly { readonly envs: Readonly<Record<string, string>>; readonly expected: string }[] };
  readonly mandatoryEnvVars: { readonly cases: readonly { readonly input: string; readonly envs: readonly string[]; readonly expected?: string; readonly errorContains?: string }[] };
  readonly getEnv: { readonly cases: readonly { readonly envs: readonly string[]; readonly name: string; readonly expected: string }[] };
  readonly shellPatternToRegex: { readonly valid: Readonly<Record<string, string>>; readonly invalid: readonly string[] };
}

describe('process-with-matches.json', () => {
  const corpus = JSON.parse(readFileSync(join(dir, 'extracted/process-with-matches.json'), 'utf8')) as MatchesCorpus;
  const lex = new ShellLex('\\');

  it('has the transcribed cases', () => {
    expect(corpus.cases).toHaveLength(47);
    expect(corpus.mandatoryEnvVars.cases).toHaveLength(6);
    expect(corpus.getEnv.cases).toHaveLength(6);
  });

  describe('ProcessWordWithMatches', () => {
    corpus.cases.forEach((c, i) => {
      const title = `#${i} ${c.input} with ${JSON.stringify(c.envs)}`;
      if (c.expectedErr) {
        it(`${title} fails`, () => {
          thrownBy(ShellExpansionError, () => lex.processWordWithMatches(c.input, envFrom(c.envs)));
        });
        return;
      }
      it(`${title} -> ${JSON.stringify(c.expected)}`, () => {
        const res = lex.processWordWithMatches(c.input, envFrom(c.envs));
        expect(res.result).toBe(c.expected);
        expect(sorted(res.matched)).toEqual([...c.matched].sort());
        expect(sorted(res.unmatched)).toEqual([...c.unmatched].sort());
      });
    });
  });

  for (const { envs, expected } of corpus.platformExample.cases) {
    it(`platform example with ${JSON.stringify(envs)}`, () => {
      expect(lex.processWord(corpus.platformExample.input, envFrom(envs))).toBe(expected);
    });
  }

  describe('mandatory variables', () => {
    for (const { input, envs, expected, errorContains } of corpus.mandatoryEnvVars.cases) {
      it(`${input} with ${JSON.stringify(envs)}`, () => {
        if (errorContains === undefined) {
          expect(lex.processWord(input, envFrom(envs))).toBe(expected);
          return;
        }
        const err = thrownBy(ShellExpansionError, () => lex.processWord(input, envFrom(envs)));
        expect(err.message).toContain(errorContains);
        expect(err.variable).toBe('VAR');
        expect(err.code).toBe(envs.includes('VAR=') ? 'shell/variable-empty' : 'shell/variable-unset');
        expect(err.offset).toBe(0);
      });
    }
  });

  for (const { envs, name, expected } of corpus.getEnv.cases) {
    it(`getEnv ${name} in ${JSON.stringify(envs)}`, () => {
      expect(envFrom(envs).get(name) ?? '').toBe(expected);
    });
  }

  describe('glob patterns (convertShellPatternToRegex)', () => {
    // Go's regexp source back to a text the glob must match whole: `\x` is x, `.*` and `.` are any.
    const sample = (re: string) => re.slice(1).replace(/\\(.)|\.\*|\./g, (m, escaped: string | undefined) => escaped ?? (m === '.' ? 'z' : 'zz'));

    for (const [pattern, regex] of Object.entries(corpus.shellPatternToRegex.valid)) {
      it(`${pattern} compiles like ${regex}`, () => {
        const text = Array.from(sample(regex));
        expect(Glob.compile(pattern).match(text, 0, { anchored: true, greedy: true })).toEqual({ start: 0, end: text.length });
      });
    }

    for (const pattern of corpus.shellPatternToRegex.invalid) {
      it(`${pattern} is rejected`, () => {
        const err = thrownBy(ShellPatternError, () => Glob.compile(pattern));
        expect(err.pattern).toBe(pattern);
      });
    }
  });
});
