// Benchmark: parse + convert + marshal a 2,000-instruction Dockerfile with kiln,
// beside BuildKit's own dockerfile2llb when one is installed (set DOCKERFILE2LLB
// to its path, or have it on PATH). Prints both times and their ratio.
// Run: npm run compile && node dist/bench/dockerfile-compile.js
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileDockerfile } from '../frontends/index.js';

/** A Dockerfile with `n` instructions across three stages, of every common kind. */
export function bigDockerfile(n: number): string {
  const lines = ['ARG BASE=scratch', 'FROM ${BASE} AS base', 'ENV A=1 B=two', 'WORKDIR /src'];
  const kinds = [
    (i: number) => `RUN echo step ${i} "$A" > /tmp/f${i} && cat /tmp/f${i}`,
    (i: number) => `COPY --chown=1000:1000 src/file${i}.txt ./dir${i % 17}/`,
    (i: number) => `ENV V${i}=value-${i}`,
    (i: number) => `RUN --mount=type=cache,target=/cache/${i % 5} --mount=type=bind,source=src,target=/mnt echo ${i}`,
    (i: number) => `LABEL l${i}="label ${i}"`,
    (i: number) => `ARG X${i}=${i}`,
    (i: number) => `WORKDIR /w/${i}`,
  ];
  for (let i = 0; lines.length < n - 4; i++) {
    if (i === Math.floor(n / 3)) lines.push('FROM base AS middle');
    lines.push(kinds[i % kinds.length]!(i));
  }
  lines.push('FROM scratch', 'COPY --from=middle /src /src', 'CMD ["/bin/sh"]');
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const text = bigDockerfile(2000);
  const rounds = Number(process.env.ROUNDS ?? 10);
  await compileDockerfile(text, 'Dockerfile', { localUniqueId: 'bench' });
  const t0 = process.hrtime.bigint();
  let ops = 0;
  for (let i = 0; i < rounds; i++) ops = (await compileDockerfile(text, 'Dockerfile', { localUniqueId: 'bench' })).definition.def.length;
  const kilnMs = Number(process.hrtime.bigint() - t0) / 1e6 / rounds;
  console.log(`kiln: 2,000-instruction Dockerfile → ${ops} ops in ${kilnMs.toFixed(1)} ms (mean of ${rounds})`);
  const peer = process.env.DOCKERFILE2LLB ?? 'dockerfile2llb';
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  writeFileSync(join(dir, 'Dockerfile'), text);
  try {
    execFileSync(peer, ['--help'], { stdio: 'ignore' });
  } catch {
    console.log(`dockerfile2llb: not installed (set DOCKERFILE2LLB); no ratio`);
    return;
  }
  // dockerfile2llb resolves base images from a registry; busybox must be resolvable or it fails.
  const t1 = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) execFileSync(peer, ['--target', ''], { input: text, stdio: ['pipe', 'ignore', 'ignore'] });
  const peerMs = Number(process.hrtime.bigint() - t1) / 1e6 / rounds;
  console.log(`dockerfile2llb: ${peerMs.toFixed(1)} ms (mean of ${rounds}, a process per run)`);
  console.log(`ratio kiln/dockerfile2llb: ${(kilnMs / peerMs).toFixed(2)}x (lower is better for kiln)`);
}

await main();
