import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KilnError } from '../../../compiler/index.js';
import { parseGitRef } from '../../../frontends/dockerfile/convert/git-ref.js';
import { corpusDir } from '../../support/corpus.js';

// BuildKit's dfgitutil.ParseGitRef table: which ADD sources are git, and what they check out.
interface Case {
  ref: string;
  expected?: { Remote: string; Ref?: string; SubDir?: string; IndistinguishableFromLocal?: boolean; Checksum?: string } | null;
  err?: string;
}
const table = JSON.parse(readFileSync(join(corpusDir('buildkit-dockerfile-instructions'), 'git-refs.json'), 'utf8')) as { parseGitRef: Case[] };

describe('parseGitRef (BuildKit table)', () => {
  it.each(table.parseGitRef.map((c) => [c.ref, c] as const))('%s', (_ref, c) => {
    if (c.err) {
      expect(() => parseGitRef(c.ref)).toThrow(KilnError);
      expect(() => parseGitRef(c.ref)).toThrow(c.err);
      return;
    }
    const got = parseGitRef(c.ref);
    if (!c.expected) {
      expect(got).toBeUndefined();
      return;
    }
    expect(got).toBeDefined();
    expect(got!.remote).toBe(c.expected.Remote);
    expect(got!.ref).toBe(c.expected.Ref);
    expect(got!.subdir).toBe(c.expected.SubDir);
    expect(!!got!.local).toBe(!!c.expected.IndistinguishableFromLocal);
    expect(got!.checksum).toBe(c.expected.Checksum);
  });
});
