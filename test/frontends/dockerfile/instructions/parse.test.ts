import { parseDockerfile } from '../../../../grammars/dockerfile/index.js';
import type { Diagnostic } from '../../../../grammars/diagnostic.js';
import type { Instruction } from '../../../../frontends/dockerfile/instructions/commands.js';
import { INSTRUCTION_NAMES, parseInstruction } from '../../../../frontends/dockerfile/instructions/parse.js';
import { err, node, ok } from './nodes.js';

function parse(text: string, warnings?: Diagnostic[]): Instruction | Diagnostic {
  const parsed = parseDockerfile(text);
  if (!parsed.ok) throw new Error(parsed.errors.map((e) => e.message).join('; '));
  const [first] = parsed.ast.instructions;
  if (!first) throw new Error('no instruction');
  return parseInstruction(first, warnings);
}

const message = (text: string): string => err(parse(text)).message;

it('knows the 18 keywords', () => {
  expect(INSTRUCTION_NAMES).toHaveLength(18);
});

describe('RUN', () => {
  it('keeps shell and exec forms, with every flag', () => {
    expect(ok(parse('RUN echo hi'), 'run')).toMatchObject({ cmdLine: ['echo hi'], prependShell: true, mounts: [], devices: [], flagsUsed: [] });
    expect(ok(parse('RUN ["ls", "-l"]'), 'run')).toMatchObject({ cmdLine: ['ls', '-l'], prependShell: false });
    const run = ok(parse('RUN --mount=type=tmpfs,target=/foo/ --network=none --security=insecure --device=vendor.com/gpu=0 --mount=type=secret,id=a echo'), 'run');
    expect(run).toMatchObject({
      network: 'none', security: 'insecure', devices: [{ name: 'vendor.com/gpu=0', required: false }],
      mounts: [{ type: 'tmpfs', target: '/foo/', readOnly: false }, { type: 'secret', cacheId: 'a', readOnly: true }],
      flagsUsed: ['mount', 'network', 'security', 'device'],
    });
    expect(ok(parse('RUN --mount=type=tmpfs,target=/foo/ echo hello'), 'run').flagsUsed).toEqual(['mount']);
  });

  it('leaves network and security unset by default', () => {
    const run = ok(parse('RUN --network=default make'), 'run');
    expect(run).not.toHaveProperty('network');
    expect(run).not.toHaveProperty('security');
    expect(ok(parse('RUN --security=sandbox make'), 'run').security).toBe('sandbox');
  });

  it('rejects bad modes and flags', () => {
    expect(message('RUN --network=bridge make')).toBe('invalid network mode "bridge"');
    expect(message('RUN --security=root make')).toBe('security "root" is not valid');
    expect(message('RUN --network make')).toBe('missing a value on flag: --network');
    expect(message('RUN --network=host --network=none make')).toBe('duplicate flag specified: --network');
    expect(message('RUN --device=a,b make')).toBe("invalid field 'b' must be a key=value pair");
    expect(message('RUN --mount=type=cache,sharing=x make')).toBe('unsupported sharing value "x"');
  });
});

describe('CMD, ENTRYPOINT, SHELL', () => {
  it('parse both forms', () => {
    expect(ok(parse('CMD echo hi'), 'cmd')).toMatchObject({ cmdLine: ['echo hi'], prependShell: true, files: [] });
    expect(ok(parse('CMD ["a", "b"]'), 'cmd')).toMatchObject({ cmdLine: ['a', 'b'], prependShell: false });
    expect(ok(parse('ENTRYPOINT []'), 'entrypoint')).toMatchObject({ cmdLine: [], prependShell: false });
    expect(ok(parse('SHELL ["/bin/bash", "-c"]'), 'shell').shell).toEqual(['/bin/bash', '-c']);
  });

  it('SHELL wants JSON', () => {
    expect(message('SHELL /bin/bash -c')).toBe('SHELL requires the arguments to be in JSON form');
    expect(message('SHELL []')).toBe('SHELL requires at least one argument');
    expect(message('CMD --foo x')).toBe('unknown flag: --foo');
  });
});

describe('ENV, LABEL, ARG', () => {
  it('parse both ENV forms', () => {
    expect(ok(parse('ENV a=b c="d e"'), 'env').env).toEqual([{ key: 'a', value: 'b', noDelim: false }, { key: 'c', value: '"d e"', noDelim: false }]);
    expect(ok(parse('ENV x y z'), 'env').env).toEqual([{ key: 'x', value: 'y z', noDelim: true }]);
  });

  it('parse LABEL', () => {
    const label = ok(parse('LABEL "com.example"="v 1" x=y'), 'label');
    expect(label.labels).toEqual([{ key: '"com.example"', value: '"v 1"', noDelim: false }, { key: 'x', value: 'y', noDelim: false }]);
    expect(label.noExp).toBe(false);
  });

  it('parse ARG names and defaults', () => {
    expect(ok(parse('ARG a=1 b c=x=y d='), 'arg').args).toEqual([{ key: 'a', value: '1' }, { key: 'b' }, { key: 'c', value: 'x=y' }, { key: 'd', value: '' }]);
    expect(message('ARG =x')).toBe('ARG names can not be blank');
    expect(err(parseInstruction(node('ARG', []))).message).toBe('ARG requires at least one argument');
  });
});

describe('COPY and ADD', () => {
  it('read every COPY flag', () => {
    const copy = ok(parse('COPY --from=build --chown=1:2 --chmod=755 --link --parents --exclude=*.md --exclude=.git a b /dst/'), 'copy');
    expect(copy).toMatchObject({
      from: 'build', chown: '1:2', chmod: '755', link: true, parents: true, excludes: ['*.md', '.git'],
      sourcePaths: ['a', 'b'], sourceContents: [], destPath: '/dst/',
    });
    expect(ok(parse('COPY a b'), 'copy')).toMatchObject({ from: undefined, link: false, parents: false, excludes: [] });
    expect(ok(parse('COPY --link=false a b'), 'copy').link).toBe(false);
  });

  it('read every ADD flag; keep-git-dir and unpack stay unset unless written', () => {
    const add = ok(parse('ADD --checksum=sha256:abc --keep-git-dir --unpack=false --chown=u --chmod=600 --link --exclude=x https://e/x.tgz /d'), 'add');
    expect(add).toMatchObject({ checksum: 'sha256:abc', keepGitDir: true, unpack: false, chown: 'u', chmod: '600', link: true, excludes: ['x'] });
    const plain = ok(parse('ADD a b'), 'add');
    expect(plain.keepGitDir).toBeUndefined();
    expect(plain.unpack).toBeUndefined();
  });

  it('reject flags of the other instruction and bad destinations', () => {
    expect(message('ADD --from=x a b')).toBe('unknown flag: --from');
    expect(message('COPY --checksum=x a b')).toBe('unknown flag: --checksum');
    expect(message('COPY --link=maybe a b')).toBe('expecting boolean value for flag --link, not: maybe');
    expect(message('ADD a <<EOF\nx\nEOF')).toBe('ADD cannot accept a heredoc as a destination');
  });
});

describe('one-value instructions', () => {
  it('parse', () => {
    expect(ok(parse('MAINTAINER me <me@x>'), 'maintainer').maintainer).toBe('me <me@x>');
    expect(ok(parse('WORKDIR /app'), 'workdir').path).toBe('/app');
    expect(ok(parse('USER 1000:1000'), 'user').user).toBe('1000:1000');
    expect(ok(parse('STOPSIGNAL SIGKILL'), 'stopsignal').signal).toBe('SIGKILL');
    expect(ok(parse('VOLUME /a /b'), 'volume').volumes).toEqual(['/a', '/b']);
    expect(ok(parse('VOLUME ["/c", " /d "]'), 'volume').volumes).toEqual(['/c', '/d']);
    expect(ok(parse('EXPOSE 8080 443/tcp 80'), 'expose').ports).toEqual(['443/tcp', '80', '8080']);
  });

  it('reject wrong argument counts', () => {
    // The parser keeps `WORKDIR /a /b` as one word; only a hand-built node has two.
    expect(ok(parse('WORKDIR /a /b'), 'workdir').path).toBe('/a /b');
    expect(err(parseInstruction(node('WORKDIR', ['/a', '/b']))).message).toBe('WORKDIR requires exactly one argument');
    expect(err(parseInstruction(node('USER', ['a', 'b']))).message).toBe('USER requires exactly one argument');
    expect(message('VOLUME [" "]')).toBe('VOLUME specified can not be an empty string');
    expect(message('WORKDIR --x /a')).toBe('unknown flag: --x');
  });

  it('ignore STOPSIGNAL flags, as BuildKit does', () => {
    expect(ok(parse('STOPSIGNAL --x SIGTERM'), 'stopsignal').signal).toBe('SIGTERM');
  });

  it('warn that MAINTAINER is deprecated', () => {
    const warnings: Diagnostic[] = [];
    parse('MAINTAINER me', warnings);
    expect(warnings).toMatchObject([{ id: 'dockerfile/maintainer-deprecated', severity: 'warning', message: 'Maintainer instruction is deprecated in favor of using label' }]);
  });
});

describe('ONBUILD', () => {
  it('keeps the trigger text, heredocs appended', () => {
    expect(ok(parse('ONBUILD RUN --mount=type=cache,target=/c echo hi'), 'onbuild').expression).toBe('RUN --mount=type=cache,target=/c echo hi');
    expect(ok(parse('onbuild   COPY a b'), 'onbuild').expression).toBe('COPY a b');
    expect(ok(parse('ONBUILD RUN <<EOF\necho hi\nEOF'), 'onbuild').expression).toBe('RUN <<EOF\necho hi\nEOF');
  });

  it('forbids MAINTAINER and FROM triggers', () => {
    expect(message('ONBUILD MAINTAINER me')).toBe("MAINTAINER isn't allowed as an ONBUILD trigger");
    expect(message('ONBUILD from x')).toBe("FROM isn't allowed as an ONBUILD trigger");
  });
});

describe('FROM', () => {
  it('reads the base, platform and lower-cased name', () => {
    expect(ok(parse('FROM --platform=$BUILDPLATFORM golang:1.22 AS Build'), 'from')).toMatchObject({ baseName: 'golang:1.22', platform: '$BUILDPLATFORM', name: 'build' });
    const plain = ok(parse('FROM scratch'), 'from');
    expect(plain.name).toBeUndefined();
    expect(plain.platform).toBeUndefined();
  });

  it.each([
    ['FROM a AS 1st', 'invalid name for build stage: "1st", name can\'t start with a number or contain symbols'],
    ['FROM a AS b$c', 'invalid name for build stage: "b$c", name can\'t start with a number or contain symbols'],
    ['FROM a b', 'FROM requires either one or three arguments'],
    ['FROM a AS', 'FROM requires either one or three arguments'],
    ['FROM a IS b', 'FROM requires either one or three arguments'],
    ['FROM --plat=x a', 'unknown flag: --plat'],
  ])('%s → %s', (text, expected) => {
    expect(message(text)).toBe(expected);
  });

  it('accepts names with digits, dots, dashes and underscores', () => {
    expect(ok(parse('FROM a AS b-1_2.3'), 'from').name).toBe('b-1_2.3');
  });

  it('puts a bad stage name error on the name', () => {
    expect(err(parse('FROM alpine AS 9x')).range).toEqual({ start: { line: 1, character: 15 }, end: { line: 1, character: 17 } });
  });

  it('warns about casing as BuildKit lints', () => {
    const warnings: Diagnostic[] = [];
    parse('FROM a as Build', warnings);
    expect(warnings.map((w) => [w.id, w.message])).toEqual([
      ['dockerfile/stage-name-casing', "Stage name 'Build' should be lowercase"],
      ['dockerfile/from-as-casing', "'as' and 'FROM' keywords' casing do not match"],
    ]);
    const none: Diagnostic[] = [];
    parse('from a as b', none);
    parse('From a AS b', none);
    expect(none).toEqual([]);
  });
});
