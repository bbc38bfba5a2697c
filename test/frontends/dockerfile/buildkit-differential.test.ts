import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Definition, dumpJsonLines } from '../../../compiler/index.js';
import { compileDockerfile } from '../../../frontends/index.js';
import { OciLayout } from '../../../runtime/index.js';
import { corpusDir } from '../../support/corpus.js';

// Differential test against a real BuildKit `dockerfile2llb` (set KILN_DOCKERFILE2LLB
// to the binary; it resolves localhost:5000/busybox:latest from a registry serving the
// corpus image). Each Dockerfile must give the same ops, byte for byte once BuildKit's
// random ids are accounted for, and the same image config. The cases are the ones that
// found differences in a generated corpus.
const binary = process.env.KILN_DOCKERFILE2LLB;
const B = 'localhost:5000/busybox:latest';
const amd64 = { os: 'linux', architecture: 'amd64' } as const;

const cases: readonly (readonly [name: string, dockerfile: string, target?: string])[] = [
  ['run shell, exec and heredocs', `FROM ${B}\nRUN echo hi\nRUN ["echo", "a b"]\nRUN <<EOF\necho one\nEOF\nRUN <<EOF\n#!/bin/sh\necho two\nEOF\nRUN <<-EOF\n\techo three\nEOF\nRUN cat <<A >/a && cat <<B >/b\nx\nA\ny\nB\n`],
  ['global args, base from arg', `ARG TAG=latest\nARG REPO=localhost:5000/busybox\nARG B2=$REPO-x\nFROM \${REPO}:\${TAG}\nARG TAG B2\nRUN echo $TAG $REPO $B2\n`],
  ['platform args', `FROM --platform=$BUILDPLATFORM ${B} AS b\nARG TARGETPLATFORM BUILDPLATFORM TARGETARCH\nRUN echo $TARGETPLATFORM $BUILDPLATFORM $TARGETARCH\nFROM --platform=linux/arm64 scratch\nCOPY --from=b /bin/sh /sh\n`],
  ['target stage with unused stages', `FROM ${B} AS a\nRUN echo a\nFROM ${B} AS b\nRUN echo b\nFROM a AS c\nARG TARGETSTAGE\nCOPY --from=b /x /y\nFROM scratch\nCOPY --from=c / /\n`, 'c'],
  ['stage args and workdir inherited by a child stage', `FROM ${B} AS a\nARG W\nWORKDIR /app\nFROM a\nRUN echo $W\n`],
  ['copy from image: no FROM line to describe', `FROM scratch\nCOPY --from=${B} /bin/busybox /bb\nCOPY --link --from=${B} /bin /b\n`],
  ['chown forms', `FROM ${B}\nCOPY --chown=1000 a /a\nCOPY --chown=nobody:nogroup a /c\nCOPY --chown=:1000 a /e\nCOPY --chown=root a /f\nCOPY --chown=007:+8 a /g\nCOPY --chown=-1 a /h\n`],
  ['workdir owned by USER forms', `FROM ${B}\nUSER root\nWORKDIR /r\nUSER bin:bin\nWORKDIR /b\nUSER :5\nWORKDIR /c\n`],
  ['chmod octal and symbolic', `FROM ${B}\nCOPY --chmod=755 a /a\nCOPY --chmod=u+x a /c\nCOPY --chmod=go-w,u=rwx a /d\n`],
  ['copy destinations', `FROM ${B}\nWORKDIR /w\nCOPY a .\nCOPY a ./\nCOPY a rel/\nCOPY a b c/\nCOPY a /x/.\nCOPY a sub/.\nCOPY a ../up\nCOPY a /a//b\nCOPY a /a/../b/\n`],
  ['variables in copy sources and destination', `FROM ${B}\nARG SRC=a DST=/d\nCOPY $SRC \${DST}/\nADD $SRC \${DST}x\nENV OWN=1:2\nCOPY --chown=$OWN a /e\n`],
  ['heredoc copy sources expand unless quoted', `FROM ${B}\nENV X=1\nCOPY <<EOF /h\nx $X "q" \\$X\nEOF\nCOPY <<"EOF" /q\nno $X\nEOF\nCOPY <<A <<B /dst/\naaa\nA\nbbb\nB\n`],
  ['copy --link', `FROM ${B}\nCOPY --link a /a\nCOPY --link --chown=1 a b /b/\nRUN echo\nCOPY --link --chmod=755 a /c\n`],
  ['add local, tar and http', `FROM ${B}\nADD a.tar.gz /x/\nADD --unpack=false b.tar /y/\nADD https://example.com/file.txt /u/\nADD https://example.com/ /v\nADD https://example.com/a%20b /w\nADD --chmod=600 --chown=1:1 https://example.com/f /f\nADD HTTPS://EXAMPLE.COM/UP /up\n`],
  ['add git urls', `FROM scratch\nADD https://github.com/moby/buildkit.git#v0.10.1 /a\nADD --keep-git-dir=true https://github.com/moby/buildkit.git#master:docs /b\nADD git@github.com:moby/buildkit.git#ref:sub /c\nADD https://github.com/moby/buildkit.git?tag=v1&subdir=docs&submodules=false /d\nADD https://github.com/moby/buildkit.git?branch=b1 /e\nADD https://example.com/a.git/ /f\nADD github.com/moby/buildkit /g\nADD git://github.com/moby/buildkit#ref /h\n`],
  ['run mount bind', `FROM ${B} AS s\nRUN echo x > /x\nFROM ${B}\nRUN --mount=type=bind,from=s,source=/x,target=/y cat /y\nRUN --mount=type=bind,source=sub,target=/ctx,rw ls /ctx\nRUN --mount=target=/c/ ls /c\n`],
  ['run mount cache', `FROM ${B}\nWORKDIR /w\nRUN --mount=type=cache,target=/root/.cache ls\nRUN --mount=type=cache,id=foo,target=/c,sharing=locked,uid=1000,gid=1000,mode=0700 ls\nRUN --mount=type=cache,target=rel,sharing=private ls\nRUN --mount=type=cache,target=/c2,from=${B},source=/etc ls\n`],
  ['run mount tmpfs, secret, ssh in a one-stage file', `FROM ${B}\nRUN --mount=type=tmpfs,target=/t,size=64m ls\nRUN --mount=type=secret,id=a cat /run/secrets/a\nRUN --mount=type=secret,id=b,target=/b,required,mode=0440,uid=1,gid=2 cat /b\nRUN --mount=type=secret,target=/e/f ls\nRUN --mount=type=ssh ls\nRUN --mount=type=ssh,id=gh,target=/s,required,mode=0600,uid=5 ls\n`],
  ['secret env masked in the step name', `FROM ${B}\nENV TOKEN=visible\nRUN --mount=type=secret,id=t,env=TOKEN echo $TOKEN \${TOKEN}\n`],
  ['mount targets kept as written', `FROM ${B}\nRUN --mount=type=cache,target=/m/ ls\nRUN --mount=type=bind,target=/m//n ls\n`],
  ['network does not carry to the next step', `FROM scratch\nRUN --network=none true\nRUN --mount=type=bind,target=/m,rw ls\nRUN --network=host true\nRUN true\n`],
  ['workdir kept as written', `FROM ${B}\nWORKDIR /a//b\nRUN pwd\nARG EMPTY\nWORKDIR $EMPTY\nRUN pwd\nWORKDIR /w/.\nWORKDIR /a/../b/\nRUN pwd\n`],
  ['env, arg and label expansion order', `ARG G=global\nFROM ${B}\nENV A=1 B=$A C="x y"\nENV D 2 3\nENV A=2 E=$A\nARG G\nARG L=local\nENV L=env\nARG L=again\nLABEL a=b "c d"="e f" g=$G\nRUN echo $A $B $C $D $E $G $L\n`],
  ['config instructions', `FROM ${B}\nEXPOSE 80 443/tcp 53/udp 8000-8002\nVOLUME /a /b\nVOLUME ["/c"]\nSTOPSIGNAL 99\nSTOPSIGNAL sigrtmax-14\nSTOPSIGNAL SIGTERM\nHEALTHCHECK --interval=5m --timeout=3s --start-period=10s --retries=5 CMD curl -f http://localhost/ || exit 1\nUSER nobody\nMAINTAINER someone\n`],
  ['shell affects later instructions', `FROM ${B}\nSHELL ["/bin/sh", "-xc"]\nRUN echo hi\nCMD echo cmd\nENTRYPOINT echo ep\nHEALTHCHECK CMD echo hc\n`],
  ['entrypoint resets an inherited cmd; empty lists omitted', `FROM ${B} AS base\nCMD ["a"]\nFROM base AS x\nENTRYPOINT ["e"]\nFROM ${B}\nENTRYPOINT []\nCMD []\n`],
  ['onbuild in a stage used as base', `FROM ${B} AS src\nRUN echo > /f\nFROM ${B} AS base\nONBUILD RUN echo onbuild\nONBUILD COPY --from=src /f /g\nONBUILD WORKDIR /w\nFROM base\nRUN echo after\n`],
  ['copy from stage name and index', `FROM ${B} AS Build\nRUN echo 0 > /f\nFROM ${B}\nRUN echo 1\nFROM scratch\nCOPY --from=build /f /a\nCOPY --from=1 /bin/sh /b\n`],
  ['escape directive', `# escape=\`\nFROM ${B}\nRUN echo a \`\n  b\nCOPY a \`\n  /b\n`],
  ['variables everywhere', `ARG V=1\nFROM ${B}\nARG V\nENV E=$V\nLABEL l=$V\nUSER u$V\nWORKDIR /w$V\nEXPOSE 8$V\nVOLUME /v$V\nSTOPSIGNAL $V\nCOPY a$V /b$V\nADD a$V /c$V\nRUN echo $V\nCMD echo $V\n`],
];

/** BuildKit draws `--link` progress-group ids at random: number them by first appearance. */
function normalizeGroups(lines: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return lines.map((l) =>
    l.replace(/"progress_group":\{"id":"([a-z0-9]+)"/g, (_m, id: string) => {
      if (!seen.has(id)) seen.set(id, seen.size);
      return `"progress_group":{"id":"#${seen.get(id)!}"`;
    }),
  );
}

/** What is not comparable: creation times, and the EXPOSE history line BuildKit prints with a Go pointer. */
function comparable(config: Record<string, unknown>): Record<string, unknown> {
  const { rootfs: _rootfs, created: _created, history, ...rest } = config as { history?: { created_by?: string }[]; [k: string]: unknown };
  return {
    ...rest,
    history: (history ?? []).map((h) => {
      const { created: _c, ...kept } = h as { created?: string; created_by?: string };
      return kept.created_by?.startsWith('EXPOSE ') ? { ...kept, created_by: 'EXPOSE' } : kept;
    }),
  };
}

function buildkit(dockerfile: string, target: string | undefined): { definition: Definition; image: Record<string, unknown> } {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-d2l-'));
  try {
    const configFile = join(dir, 'image.json');
    const pb = execFileSync(binary!, ['-partial-image-config-file', configFile, ...(target ? ['-target', target] : [])], { input: dockerfile, stdio: ['pipe', 'pipe', 'pipe'] });
    return { definition: Definition.unmarshal(new Uint8Array(pb)), image: JSON.parse(readFileSync(configFile, 'utf8')) as Record<string, unknown> };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

(binary ? describe : describe.skip)('kiln and BuildKit dockerfile2llb agree', () => {
  let layout: OciLayout;
  beforeAll(async () => {
    layout = await OciLayout.open(join(corpusDir('images'), 'busybox-oci'));
  });

  // Objects, not tuples: a test function with more parameters than a row has is taken to want `done`.
  it.each(cases.map(([name, dockerfile, target]) => ({ name, dockerfile, target })))('$name', async ({ dockerfile, target }) => {
    const want = buildkit(dockerfile, target);
    // Reuse BuildKit's random local.unique, so that digests downstream of the context compare too.
    const unique = want.definition.ops().find((o) => o.op.source?.identifier?.startsWith('local://'))?.op.source?.attrs?.['local.unique'];
    const got = await compileDockerfile(dockerfile, 'Dockerfile', {
      targetPlatform: amd64,
      buildPlatform: amd64,
      resolveImageConfig: async (ref, platform) => layout.resolve(ref, platform),
      ...(target ? { target } : {}),
      ...(unique ? { localUniqueId: unique } : {}),
    });
    expect(normalizeGroups(dumpJsonLines(got.definition))).toEqual(normalizeGroups(dumpJsonLines(want.definition)));
    expect(comparable(JSON.parse(JSON.stringify(got.image)) as Record<string, unknown>)).toEqual(comparable(want.image));
  });
});
