// Bundles the compiled CLI (dist/cli/kiln.js) into dist/bundle/: one module for
// start-up plus a chunk per lazily imported command. Node spends most of a
// short command's time resolving and loading hundreds of ES modules; one file
// per command path cuts a no-op build's start-up several times over.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';

const outdir = 'dist/bundle';
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { kiln: 'dist/cli/kiln.js' },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Native addons load their .node files relative to their own package.
  external: ['better-sqlite3', '@napi-rs/xattr'],
  // CommonJS dependencies (tar-stream and friends) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kilnRequire } from 'node:module'; const require = __kilnRequire(import.meta.url);" },
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
});
chmodSync(`${outdir}/kiln.js`, 0o755);
