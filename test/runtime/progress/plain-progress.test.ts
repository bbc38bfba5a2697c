import { PassThrough } from 'node:stream';
import { PlainProgress, RawJsonProgress } from '../../../runtime/progress/index.js';

function capture() {
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { out, text: () => chunks.join('') };
}

describe('plain progress', () => {
  it('numbers steps and prints logs, CACHED, DONE and ERROR as BuildKit does', () => {
    const { out, text } = capture();
    const p = new PlainProgress(out);
    p.write({ kind: 'cached', vertex: 'sha256:a', name: '[1/3] FROM busybox', time: 1000 });
    p.write({ kind: 'started', vertex: 'sha256:b', name: '[2/3] RUN echo hi', time: 1000 });
    p.write({ kind: 'log', vertex: 'sha256:b', stream: 'stdout', line: 'hi', time: 1250 });
    p.write({ kind: 'done', vertex: 'sha256:b', time: 1300 });
    p.write({ kind: 'started', vertex: 'sha256:c', name: '[3/3] RUN false', time: 1300 });
    p.write({ kind: 'error', vertex: 'sha256:c', message: 'exit code: 1', time: 1400 });
    expect(text()).toBe(
      '#1 [1/3] FROM busybox\n#1 CACHED\n\n#2 [2/3] RUN echo hi\n#2 0.250 hi\n#2 DONE 0.3s\n\n#3 [3/3] RUN false\n#3 ERROR: exit code: 1\n\n',
    );
    expect(p.state.tail('sha256:b')).toEqual(['hi']);
  });

  it('rawjson prints one event per line', () => {
    const { out, text } = capture();
    const p = new RawJsonProgress(out);
    p.write({ kind: 'started', vertex: 'sha256:b', name: 'x', time: 1 });
    p.write({ kind: 'done', vertex: 'sha256:b', time: 2 });
    expect(text().trim().split('\n').map((l) => JSON.parse(l).kind)).toEqual(['started', 'done']);
  });
});
