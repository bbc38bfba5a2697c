import { isFailure } from '../../../../frontends/dockerfile/instructions/failure.js';
import { parseMount } from '../../../../frontends/dockerfile/instructions/run-mount.js';

const message = (spec: string): string | undefined => {
  const r = parseMount(spec);
  return isFailure(r) ? r.message : undefined;
};

describe('parseMount', () => {
  it('defaults to a read-only bind mount', () => {
    expect(parseMount('target=/src')).toEqual({
      type: 'bind', target: '/src', readOnly: true, readOnlyExplicit: false, required: false, spec: 'target=/src',
    });
  });

  it('makes cache and tmpfs writable by default', () => {
    expect(parseMount('type=cache,target=/c')).toMatchObject({ type: 'cache', readOnly: false });
    expect(parseMount('type=TMPFS,dst=/t')).toMatchObject({ type: 'tmpfs', target: '/t', readOnly: false });
  });

  it('reads every option and its aliases', () => {
    expect(parseMount('type=cache,id=go,target=/root/.cache,sharing=LOCKED,from=builder,source=/x,mode=0755,uid=1000,gid=1001,ro')).toMatchObject({
      type: 'cache', cacheId: 'go', target: '/root/.cache', cacheSharing: 'locked', from: 'builder', source: '/x',
      mode: 0o755, uid: 1000, gid: 1001, readOnly: true, readOnlyExplicit: true,
    });
    expect(parseMount('src=a,destination=/b,rw')).toMatchObject({ source: 'a', target: '/b', readOnly: false, readOnlyExplicit: true });
    expect(parseMount('src=a,dst=/b,readonly=false')).toMatchObject({ readOnly: false });
    expect(parseMount('src=a,dst=/b,readwrite=0')).toMatchObject({ readOnly: true });
    expect(parseMount('type=secret,id=tok,env=TOKEN,required')).toMatchObject({ type: 'secret', cacheId: 'tok', env: 'TOKEN', required: true, readOnly: true });
    expect(parseMount('type=secret,id=tok,env=')).toMatchObject({ env: '' });
    expect(parseMount('type=ssh,required=false')).toMatchObject({ type: 'ssh', required: false });
    expect(parseMount('"type=bind","target=/a,b"')).toMatchObject({ target: '/a,b' });
  });

  it.each([
    ['1m', 1048576], ['1M', 1048576], ['1e3', 1000], ['1mb', 1048576], ['1MiB', 1048576], ['10', 10], ['1.5k', 1536], ['2 g', 2147483648], ['1b', 1],
  ])('tmpfs size=%s is %d bytes (go-units RAMInBytes)', (size, bytes) => {
    expect(parseMount(`type=tmpfs,target=/t,size=${size}`)).toMatchObject({ sizeLimit: bytes });
  });

  it.each([
    ['type=foo', 'unsupported mount type "foo"'],
    ['type=cache,sharing=privat', 'unsupported sharing value "privat"'],
    ['target=/a,required', "unexpected key 'required' for mount type 'bind'"],
    ['type=cache,required=true', "unexpected key 'required' for mount type 'cache'"],
    ['type=cache,size=1m', "unexpected key 'size' for mount type 'cache'"],
    ['type=tmpfs,size=1x', 'invalid value for size: 1x'],
    ['type=tmpfs,size=-1', 'invalid value for size: -1'],
    ['type=tmpfs,size=1e999', 'invalid value for size: 1e999'],
    ['type=tmpfs,size=1kb2', 'invalid value for size: 1kb2'],
    ['type=tmpfs,size=1kx', 'invalid value for size: 1kx'],
    ['ro=maybe', 'invalid value for ro: maybe'],
    ['foo', "invalid field 'foo' must be a key=value pair"],
    ['targt=/a', "unexpected key 'targt' in 'targt=/a'"],
    ['type=cache,mode=0789', 'invalid value 0789 for mode'],
    ['type=cache,uid=-1', 'invalid value -1 for uid'],
    ['type=cache,gid=4294967296', 'invalid value 4294967296 for gid'],
    ['target=/a,mode=0600', 'mode not allowed for "bind" type mounts'],
    ['type=tmpfs,target=/a,uid=1', 'uid not allowed for "tmpfs" type mounts'],
    ['type=secret,id=a,from=x', 'secret mount should not have a from'],
    ['type=secret,id=a,sharing=shared', 'secret mount should not define sharing'],
    ['type=secret', 'invalid secret mount. one of source, target required'],
    ['type=secret,id=a,source=b', "both source and id can't be set"],
    ['target=/a,sharing=shared', 'invalid cache sharing set for bind mount'],
    ['from=$STAGE', "'from' doesn't support variable expansion, define alias stage instead"],
    ['', 'failed to parse csv mounts: EOF'],
    ['target="/a', 'failed to parse csv mounts: parse error on line 1, column 8: bare " in non-quoted-field'],
    ['"target=/a"x', 'failed to parse csv mounts: parse error on line 1, column 11: extraneous or missing " in quoted-field'],
  ])('%s → %s', (spec, expected) => {
    expect(message(spec)).toBe(expected);
  });

  it('suggests close option names and values', () => {
    expect(parseMount('type=cahce')).toMatchObject({ slug: 'invalid-mount', hint: 'did you mean cache?' });
    expect(parseMount('targt=/a')).toMatchObject({ hint: 'did you mean target?' });
    expect(parseMount('type=cache,sharing=lockd')).toMatchObject({ hint: 'did you mean locked?' });
  });

  it('defers values holding variables to conversion', () => {
    const m = parseMount('type=cache,target=$HOME/.cache,mode=$MODE');
    expect(m).toMatchObject({ type: 'cache', target: '$HOME/.cache', deferred: true });
    expect(m).not.toHaveProperty('mode');
    // The type itself is unknown: no type-dependent check until it is expanded.
    expect(parseMount('type=$T,required,size=$S')).toMatchObject({ deferred: true, required: true });
    // A trailing `$` is no variable (BuildKit's check).
    expect(parseMount('from=stage$')).toMatchObject({ from: 'stage$' });
  });

  it('expands every value with an expander, as at conversion', () => {
    const env: Record<string, string> = { T: 'cache', DIR: '/c', MODE: '0700', STAGE: 'build' };
    const expand = (w: string): string => w.replace(/\$(\w+)/g, (_, n: string) => env[n] ?? '');
    expect(parseMount('type=$T,target=$DIR,mode=$MODE,from=$STAGE', expand)).toMatchObject({
      type: 'cache', target: '/c', mode: 0o700, from: 'build', readOnly: false,
    });
    expect(parseMount('type=$T,target=/a,mode=$MODE', () => 'bind')).toMatchObject({ message: 'invalid value bind for mode' });
  });
});
