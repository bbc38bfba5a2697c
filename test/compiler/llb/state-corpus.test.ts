import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Definition } from '../../../compiler/definition.js';
import { dumpJsonLines } from '../../../compiler/dump/dump-llb.js';
import { copy, image, local, merge, mkdir, scratch } from '../../../compiler/llb/index.js';
import type { ConstraintsOptions, State } from '../../../compiler/llb/index.js';
import { corpusDir } from '../../support/corpus.js';

// The State API must write what BuildKit's Go client wrote for the same graph:
// these rebuild two dockerfile2llb outputs by hand and compare op for op.
const BUSYBOX = 'localhost:5000/busybox:latest@sha256:dabf94e6d85d9cb35a55950ac6ca0700dcffee156cabb76f769e7074e28afb2b';
const amd64 = { os: 'linux', architecture: 'amd64' } as const;
const PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const dockerCopy = { followSymlinks: true, copyDirContentsOnly: true, createDestPath: true, allowWildcard: true, allowEmptyWildcard: true } as const;

function named(name: string, command?: string): ConstraintsOptions {
  return { customName: name, ...(command !== undefined ? { description: { 'com.docker.dockerfile.v1.command': command } } : {}) };
}

function expected(name: string): { def: Definition; lines: string[] } {
  const dir = join(corpusDir('dockerfile-to-llb'), name);
  return { def: Definition.unmarshal(new Uint8Array(readFileSync(join(dir, 'llb.pb')))), lines: readFileSync(join(dir, 'llb.jsonl'), 'utf8').split('\n').filter(Boolean) };
}

function uniqueOf(def: Definition): string {
  const src = def.ops().find((o) => o.op.source?.identifier === 'local://context');
  return src?.op.source?.attrs?.['local.unique'] ?? '';
}

async function compare(name: string, build: (unique: string) => State): Promise<void> {
  const want = expected(name);
  const got = await build(uniqueOf(want.def)).marshal({ platform: amd64 });
  got.validate();
  expect(dumpJsonLines(got)).toEqual(want.lines);
  expect(got.def.map((b) => Buffer.from(b).toString('hex'))).toEqual(want.def.def.map((b) => Buffer.from(b).toString('hex')));
}

describe('State API reproduces BuildKit client output', () => {
  it('01-basic: image, WORKDIR, COPY, RUN', async () => {
    await compare('01-basic', (unique) => {
      const base = image(BUSYBOX, { platform: amd64, ...named(`[1/4] FROM ${BUSYBOX}`, 'FROM localhost:5000/busybox:latest') })
        .env('GREETING', 'hello').env('PATH', '/usr/local/bin:/usr/bin:/bin').dir('/app');
      const wd = base.file(mkdir('/app', 0o755, { makeParents: true }), named('[2/4] WORKDIR /app'));
      const ctx = local('context', { followPaths: ['hello.txt'], sharedKeyHint: 'context', localUniqueId: unique, ...named('[internal] load build context') });
      const copied = wd.file(copy(ctx, '/hello.txt', './', dockerCopy), named('[3/4] COPY hello.txt ./'));
      const cmd = 'echo "$GREETING" > greeting && cat hello.txt >> greeting';
      return copied.run({ shell: cmd, ...named('[4/4] RUN echo "hello" > greeting && cat hello.txt >> greeting', `RUN ${cmd}`) }).root();
    });
  });

  it('09-link-merge: COPY --link as merge ops with progress groups', async () => {
    const want = expected('09-link-merge');
    const groups = want.def.ops().flatMap((o) => (o.metadata.progress_group ? [o.metadata.progress_group] : []));
    await compare('09-link-merge', (unique) => {
      const from = (stage: string, n: number) => image(BUSYBOX, { platform: amd64, ...named(`[${stage} 1/${n}] FROM ${BUSYBOX}`, `FROM localhost:5000/busybox:latest${stage === 'a' ? ' AS a' : ''}`) }).env('PATH', PATH.slice(5));
      const a = from('a', 2).run({ shell: 'echo a > /a', ...named('[a 2/2] RUN echo a > /a', 'RUN echo a > /a') }).root();
      const base = from('stage-1', 4);
      const link = (st: State, layer: State, title: string, group: NonNullable<ConstraintsOptions['progressGroup']>) =>
        merge([st, layer], { ...named(title.replace('] ', '] LINK ')), progressGroup: { id: group.id, name: group.name } });
      const g1 = groups[0]!;
      const l1 = scratch().file(copy(a, '/a', '/from-a', dockerCopy), { ...named('[stage-1 2/4] COPY --link --from=a /a /from-a'), progressGroup: { ...g1, weak: true } });
      const s1 = link(base, l1, '[stage-1 2/4] COPY --link --from=a /a /from-a', g1);
      const ctx = local('context', { followPaths: ['hello.txt'], sharedKeyHint: 'context', localUniqueId: unique, ...named('[internal] load build context') });
      const g2 = groups.find((g) => g.id !== g1.id)!;
      const l2 = scratch().file(copy(ctx, '/hello.txt', '/hello.txt', dockerCopy), { ...named('[stage-1 3/4] COPY --link hello.txt /hello.txt'), progressGroup: { ...g2, weak: true } });
      const s2 = link(s1, l2, '[stage-1 3/4] COPY --link hello.txt /hello.txt', g2);
      return s2.run({ shell: 'cat /from-a /hello.txt', ...named('[stage-1 4/4] RUN cat /from-a /hello.txt', 'RUN cat /from-a /hello.txt') }).root();
    });
  });
});
