// Bundles the compiled CLI (dist/cli/kiln.js) into dist/bundle/: one module for
// start-up plus a chunk per lazily imported command. Node spends most of a
// short command's time resolving and loading hundreds of ES modules; one file
// per command path cuts a no-op build's start-up several times over.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

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
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: process.env.KILN_BUNDLE_MINIFY !== '0',
  keepNames: true,
  sourcemap: 'linked',
  logLevel: 'warning',
  plugins: [lazyStringWidth],
};

// The plain bundle: ES modules, a chunk per lazily imported part.
await build({
  ...common,
  entryPoints: { kiln: 'dist/cli/kiln.js' },
  outdir,
  splitting: true,
  format: 'esm',
  // SQLite's JavaScript loads its .node file relative to its own package.
  external: ['better-sqlite3'],
  // CommonJS dependencies (tar-stream and friends) call require() for Node's built-ins.
  banner: { js: "import { createRequire as __kilnRequire } from 'node:module'; const require = __kilnRequire(import.meta.url);" },
});
chmodSync(`${outdir}/kiln.js`, 0o755);

// The start-up snapshot's script: one CommonJS file, as `node --build-snapshot` takes. A
// snapshot builder's require() knows only Node's built-ins, so the banner sends any other name
// (the xattr addon, SQLite's .node file) to a real require() made when first needed, at run time.
await build({
  ...common,
  entryPoints: { 'kiln-snapshot': 'dist/cli/snapshot-main.js' },
  outdir,
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  define: { 'import.meta.url': '__kilnUrl' },
  banner: {
    js: [
      "var __kilnUrl = require('node:url').pathToFileURL(__filename).href;",
      "var require = (function (builtin) { var user; return function (id) { return builtin('node:module').isBuiltin(id) ? builtin(id) : (user = user || builtin('node:module').createRequire(__filename))(id); }; })(require);",
    ].join('\n'),
  },
});

writeLauncher(outdir, buildSnapshot(outdir));

/** Makes `kiln.blob` with this node; whether it worked (else kiln runs without a snapshot). */
function buildSnapshot(dir) {
  const blob = join(dir, 'kiln.blob');
  try {
    // The builder warns that node:module is not verified in snapshots: kiln only calls it at run time.
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', join(dir, 'kiln-snapshot.cjs')], { stdio: ['ignore', 'ignore', 'pipe'] });
    return true;
  } catch (err) {
    rmSync(blob, { force: true });
    process.stderr.write(`bundle: no start-up snapshot (kiln starts without one): ${String(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' ')}\n`);
    return false;
  }
}

/**
 * Writes `kiln`, the executable: Node started from the snapshot when the node on PATH is the
 * very binary that made it (a snapshot only loads into the Node build that wrote it), else the
 * plain bundle. KILN_NO_SNAPSHOT=1 forces the plain bundle, and so do V8 flags in NODE_OPTIONS (node
 * refuses a snapshot made under other V8 flags, exit 14).
 */
function writeLauncher(dir, withSnapshot) {
  const node = process.execPath;
  const st = statSync(node);
  const id = `${st.ino}:${st.size}:${Math.floor(st.mtimeMs / 1000)}`;
  const q = (s) => `'${s.replaceAll("'", "'\\''")}'`;
  const lines = [
    '#!/bin/sh',
    '# kiln\'s executable, written by scripts/bundle.mjs: Node started from kiln\'s start-up snapshot',
    '# (kiln.blob) when the node on PATH is the binary that made it, else the plain bundle (kiln.js).',
    'set -f',
    'self=$0',
    '[ -L "$self" ] && self=$(readlink -f -- "$self")',
    'case $self in */*) ;; *) self=./$self ;; esac',
    'dir=${self%/*}',
    '# Node 20 parses NODE_EXTRA_CA_CERTS as it starts (~85 ms); kiln loads it on its first TLS request.',
    'if [ -n "${NODE_EXTRA_CA_CERTS:-}" ]; then',
    '  KILN_DEFERRED_CA_CERTS=$NODE_EXTRA_CA_CERTS; export KILN_DEFERRED_CA_CERTS; unset NODE_EXTRA_CA_CERTS',
    'fi',
  ];
  if (withSnapshot) {
    lines.push(
      '# A snapshot only loads under the V8 flags it was made with: NODE_OPTIONS may hold only Node\'s own.',
      'snapshot=${KILN_NO_SNAPSHOT:+no}',
      'for o in ${NODE_OPTIONS:-}; do',
      '  case $o in --experimental-vm-modules|--enable-source-maps|--no-warnings|--trace-warnings|--no-deprecation|--trace-deprecation|--trace-uncaught) ;; *) snapshot=no ;; esac',
      'done',
      `if [ -z "$snapshot" ] && [ -r "$dir/kiln.blob" ] && [ "$(command -v node)" = ${q(node)} ] && [ "$(stat -L -c %i:%s:%Y ${q(node)} 2>/dev/null)" = ${q(id)} ]; then`,
      `  exec ${q(node)} --snapshot-blob "$dir/kiln.blob" -- "$@"`,
      'fi',
    );
  }
  lines.push('exec node "$dir/kiln.js" "$@"', '');
  writeFileSync(join(dir, 'kiln'), lines.join('\n'), { mode: 0o755 });
}
