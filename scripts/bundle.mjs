// Bundles the compiled CLI (dist/cli/kiln.js) into dist/bundle/: one module for
// start-up plus a chunk per lazily imported command. Node spends most of a
// short command's time resolving and loading hundreds of ES modules; one file
// per command path cuts a no-op build's start-up several times over.
import { build } from 'esbuild';
import { chmodSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

// string-width (yargs' help layout) builds an Intl.Segmenter and a few Unicode property-of-
// strings regexps as its module loads: ~40 ms of every command, help or not. The bundle loads
// it on first call instead: each import of it gets a stub whose require() esbuild bundles as a
// lazily initialised module.
const lazyStringWidth = {
  name: 'lazy-string-width',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.namespace === 'lazy') return undefined;
      const real = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, namespace: 'lazy' });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `export default function stringWidth(s, o) { return require(${JSON.stringify(args.path)}).default(s, o); }`,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};

// KILN_BUNDLE_OUT=DIR KILN_BUNDLE_MINIFY=0 make a readable bundle elsewhere, for profiling.
const outdir = process.env.KILN_BUNDLE_OUT ?? 'dist/bundle';
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
  minify: process.env.KILN_BUNDLE_MINIFY !== '0',
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [lazyStringWidth],
});
chmodSync(`${outdir}/kiln.js`, 0o755);
