import { createReadStream, createWriteStream } from 'node:fs';
import type { Stats } from 'node:fs';
import { chmod, link, lstat, mkdir, readdir, readlink, rm, symlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { KilnError } from '../../compiler/index.js';
import { clearDir } from './copy-tree.js';
import { applyMeta, byteOrder, deviceNumbers, makeNode } from './fs-meta.js';
import type { FileMeta } from './fs-meta.js';
import { gunzipIfNeeded } from './gzip-sniff.js';
import { cleanEntryName, PathEscapeError, resolveInRoot } from './safe-path.js';
import { upperLinkTarget, upperOpaque, upperParents, upperWhiteout } from './upper-apply.js';
import type { UpperApply } from './upper-apply.js';
import { isOpaqueDir, readXattrs } from './xattrs.js';

/** Options of the layer tar functions. */
export interface LayerTarOptions {
  readonly signal?: AbortSignal;
  /**
   * Times later than this are written as this (BuildKit's `rewrite-timestamp` with
   * SOURCE_DATE_EPOCH): what a build step wrote gets the same time in every build.
   */
  readonly clampMtime?: Date;
  /**
   * applyLayerTar: the sha256 the uncompressed layer must have (its diffID, from the image
   * config); a layer whose bytes differ is refused (`snapshot/diffid-mismatch`) once read.
   */
  readonly expectDiffId?: string;
  /** applyLayerTar: `dir` is a bare overlay upper dir over these lowers (see upper-apply.ts), not a merged view. */
  readonly overlayUpper?: UpperApply;
}

type Header = tar.Header;
type HeaderArg = Parameters<tar.Pack['entry']>[0];
/** One entry of tar-stream's extract: its header and a (streamx) readable of its body. */
type Entry = AsyncIterable<Buffer> & { readonly header: Header };

/** OCI's whiteout prefix and opaque marker (image-spec layer.md). */
const WH = '.wh.';
const OPAQUE = '.wh..wh..opq';
const XATTR_PAX = 'SCHILY.xattr.';
const S_IFREG = 0o100000;
const EMPTY = new Uint8Array(0);

/**
 * Streams an OCI layer tar of an overlay upper dir into `out` (and ends it):
 * whiteout devices (char 0/0) become `.wh.<name>` files, opaque dirs
 * (`trusted.overlay.opaque=y`) a `<dir>/.wh..wh..opq` right after the dir's own
 * entry (where Docker puts it), hard links tar hard links; owners, modes,
 * mtimes and UTF-8 xattrs are kept. Depth-first in byte order of names, as Go's
 * filepath.Walk, so the same tree gives the same bytes. One file in memory at a time, never the layer.
 *
 * @example
 * await writeLayerTar(await snapshotter.layers(id).then((l) => l.at(-1)!), createWriteStream('layer.tar'));
 */
export async function writeLayerTar(upperDir: string, out: Writable, opts: LayerTarOptions = {}): Promise<void> {
  await packTar(out, opts.signal, (pack) => writeDir(pack, upperDir, '', new Map(), opts.signal, opts.clampMtime));
}

/**
 * Streams a tar that `fill` writes entries into to `out` (and ends it); a failure in `fill`
 * destroys the stream and is what the caller sees.
 */
export async function packTar(out: Writable, signal: AbortSignal | undefined, fill: (pack: tar.Pack) => Promise<void>): Promise<void> {
  const pack = tar.pack();
  // Readable.from: tar-stream's streams are streamx ones; their async iterators are the portable bridge.
  const piping = pipeline(Readable.from(pack as AsyncIterable<Buffer>), out, signal ? { signal } : {});
  try {
    await fill(pack);
    pack.finalize();
  } catch (err) {
    pack.destroy(err as Error);
    await piping.catch(() => undefined);
    throw err;
  }
  await piping;
}

function paxOf(xattrs: ReadonlyMap<string, Buffer>): Record<string, string> | undefined {
  const pax: Record<string, string> = {};
  let any = false;
  for (const [name, value] of xattrs) {
    const text = value.toString('utf8');
    // tar-stream encodes PAX values as UTF-8 text: a binary value (security.capability) would not survive.
    if (!Buffer.from(text, 'utf8').equals(value)) continue;
    pax[XATTR_PAX + name] = text;
    any = true;
  }
  return any ? pax : undefined;
}

function add(pack: tar.Pack, header: HeaderArg, file?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (err?: Error | null): void => (err ? reject(err) : resolve());
    // A body-less entry goes in with an empty buffer: an empty `file` (a whiteout) would otherwise wait for one.
    if (file === undefined) return void pack.entry(header, EMPTY, done);
    const sink = pack.entry(header, done);
    const rs = createReadStream(file);
    rs.on('error', (err) => {
      sink.destroy(err);
      reject(err);
    });
    rs.pipe(sink);
  });
}

async function writeDir(pack: tar.Pack, dir: string, rel: string, links: Map<string, string>, signal?: AbortSignal, clamp?: Date): Promise<void> {
  for (const name of (await readdir(dir)).sort(byteOrder)) {
    signal?.throwIfAborted();
    const abs = join(dir, name);
    const path = rel ? `${rel}/${name}` : name;
    const st = await lstat(abs);
    const common = { uid: st.uid, gid: st.gid, mtime: clamp && st.mtime > clamp ? clamp : st.mtime, mode: st.mode };
    if (st.isCharacterDevice() && st.rdev === 0) {
      // Overlay shares one whiteout inode among many names: never a hard link here.
      await add(pack, { ...common, name: rel ? `${rel}/${WH}${name}` : `${WH}${name}`, type: 'file', mode: S_IFREG | (st.mode & 0o7777), size: 0 });
      continue;
    }
    const pax = paxOf(await readXattrs(abs));
    const header: HeaderArg = { ...common, name: path, ...(pax ? { pax } : {}) };
    if (st.isDirectory()) {
      await add(pack, { ...header, name: `${path}/`, type: 'directory' });
      if (await isOpaqueDir(abs)) await add(pack, { ...common, name: `${path}/${OPAQUE}`, type: 'file', mode: S_IFREG | (st.mode & 0o7777), size: 0 });
      await writeDir(pack, abs, path, links, signal, clamp);
      continue;
    }
    if (st.nlink > 1 && !st.isDirectory()) {
      const key = `${st.dev}:${st.ino}`;
      const first = links.get(key);
      if (first !== undefined) {
        await add(pack, { ...header, type: 'link', linkname: first, size: 0 });
        continue;
      }
      links.set(key, path);
    }
    if (st.isFile()) await add(pack, { ...header, type: 'file', size: st.size }, abs);
    else if (st.isSymbolicLink()) await add(pack, { ...header, type: 'symlink', linkname: await readlink(abs) });
    else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const { major, minor } = deviceNumbers(st.rdev);
      await add(pack, { ...header, type: st.isCharacterDevice() ? 'character-device' : 'block-device', devmajor: major, devminor: minor });
    } else if (st.isFIFO()) await add(pack, { ...header, type: 'fifo' });
    // sockets have no tar form and are left out, as Docker and containerd do
  }
}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

function metaOfHeader(h: Header): FileMeta {
  const xattrs = new Map<string, Buffer>();
  const pax = (h.pax ?? {}) as Record<string, string>;
  for (const [k, v] of Object.entries(pax)) if (k.startsWith(XATTR_PAX)) xattrs.set(k.slice(XATTR_PAX.length), Buffer.from(v, 'utf8'));
  return { uid: h.uid ?? 0, gid: h.gid ?? 0, mode: (h.mode ?? 0o644) & 0o7777, mtime: h.mtime ?? new Date(0), xattrs };
}

async function drain(entry: Entry): Promise<void> {
  for await (const _chunk of entry) {
    // discarded: only files have a body worth keeping
  }
}

/**
 * Unpacks an OCI layer (tar, gzip detected by its magic) onto `dir`, as
 * containerd's apply: `.wh.<name>` deletes `<name>` below, `.wh..wh..opq`
 * empties its dir of what lower layers put there; owners, modes, mtimes,
 * symlinks, hard links, devices and xattrs are kept. Any entry or hard link
 * target that would land outside `dir` is refused with a `PathEscapeError`
 * (code `snapshot/path-escape`) before anything is written for it: absolute
 * names, names climbing with `..`, symlinked parents climbing above `dir`.
 * Symlinked parents are followed as inside a chroot of `dir`.
 *
 * @example
 * await applyLayerTar(createReadStream('layer.tar.gz'), active.dir);
 */
export async function applyLayerTar(input: Readable, dir: string, opts: LayerTarOptions = {}): Promise<void> {
  const extract = tar.extract();
  const unpacked = await gunzipIfNeeded(input);
  const diff = opts.expectDiffId !== undefined ? createHash('sha256') : undefined;
  const source = diff ? unpacked.pipe(new Transform({ transform(chunk: Buffer, _e, cb) { diff.update(chunk); cb(null, chunk); } })) : unpacked;
  if (diff) unpacked.on('error', (err) => source.destroy(err));
  source.on('error', (err) => extract.destroy(err));
  source.pipe(extract as unknown as Writable);
  const written = new Set<string>();
  const dirs: { path: string; meta: FileMeta }[] = [];
  try {
    for await (const entry of extract) {
      opts.signal?.throwIfAborted();
      await applyEntry(entry as unknown as Entry, dir, written, dirs, opts.overlayUpper);
    }
  } catch (err) {
    extract.destroy();
    source.destroy();
    input.destroy();
    throw err;
  }
  // Deepest first: setting a parent's mtime before its children are done would be undone.
  for (const d of dirs.reverse()) await applyMeta(d.path, d.meta, 'dir');
  if (diff) {
    // The archive may end before the stream does (padding after the end blocks): hash it all.
    if (!source.readableEnded) await new Promise<void>((resolve, reject) => source.on('end', resolve).on('error', reject).resume());
    const got = `sha256:${diff.digest('hex')}`;
    if (got !== opts.expectDiffId) throw new KilnError('snapshot/diffid-mismatch', `layer content has diffID ${got}, but the image config says ${opts.expectDiffId}: refused`);
  }
}

async function applyEntry(entry: Entry, root: string, written: Set<string>, dirs: { path: string; meta: FileMeta }[], upper?: UpperApply): Promise<void> {
  const h = entry.header;
  const rel = cleanEntryName(h.name);
  if (rel === '') return drain(entry); // the root's own entry: the snapshot root keeps its metadata
  const base = posix.basename(rel);
  const relDir = posix.dirname(rel) === '.' ? '' : posix.dirname(rel);
  // cleanEntryName refused `..` and absolute names; in an upper dir no symlink of this layer is followed either.
  const parent = upper ? await upperParents(root, relDir, upper) : await resolveInRoot(root, relDir, h.name);
  if (base.startsWith(WH)) {
    await drain(entry);
    if (base === OPAQUE) {
      if (upper) await upperOpaque(parent);
      else if (await lstatOrUndefined(parent)) await clearDir(parent, written);
    } else {
      const victim = base.slice(WH.length);
      if (victim === '' || victim === '.' || victim === '..') throw new PathEscapeError(h.name, 'bad whiteout name');
      if (upper) await upperWhiteout(parent, victim);
      else await rm(join(parent, victim), { recursive: true, force: true });
    }
    return;
  }
  // Lower layers may have left a link target for the hard link; resolve it before touching anything.
  let linkTarget: string | undefined;
  if (h.type === 'link') {
    const target = cleanEntryName(h.linkname ?? '');
    if (target === '') throw new PathEscapeError(h.linkname ?? '', 'hard link to the layer root');
    if (upper) linkTarget = await upperLinkTarget(root, target, upper);
    else {
      const tparent = await resolveInRoot(root, posix.dirname(target) === '.' ? '' : posix.dirname(target), h.linkname ?? '');
      linkTarget = join(tparent, posix.basename(target));
    }
    const tst = linkTarget === undefined ? undefined : await lstatOrUndefined(linkTarget);
    if (!tst || tst.isDirectory()) throw new KilnError('snapshot/bad-hardlink', `layer entry ${h.name}: hard link target ${h.linkname ?? ''} is missing or a directory`);
  }
  await mkdir(parent, { recursive: true });
  const dest = join(parent, base);
  const existing = await lstatOrUndefined(dest);
  if (existing && !(existing.isDirectory() && h.type === 'directory')) await rm(dest, { recursive: true, force: true });
  written.add(dest);
  const meta = metaOfHeader(h);
  switch (h.type) {
    case 'file':
    case 'contiguous-file':
      await pipeline(entry, createWriteStream(dest, { mode: 0o600 }));
      return applyMeta(dest, meta, 'other');
    case 'directory':
      await drain(entry);
      if (!existing?.isDirectory()) await mkdir(dest, { mode: 0o700 });
      // Owner-writable until the end, so a read-only dir can still be filled (as non-root too).
      await chmod(dest, meta.mode | 0o700);
      dirs.push({ path: dest, meta });
      return;
    case 'symlink':
      await drain(entry);
      await symlink(h.linkname ?? '', dest);
      return applyMeta(dest, meta, 'symlink');
    case 'link':
      await drain(entry);
      return link(linkTarget!, dest);
    case 'character-device':
    case 'block-device':
    case 'fifo': {
      await drain(entry);
      const kind = h.type === 'fifo' ? 'fifo' : h.type === 'block-device' ? 'block' : 'char';
      if (await makeNode(dest, kind, h.devmajor ?? 0, h.devminor ?? 0)) await applyMeta(dest, meta, 'other');
      return;
    }
    default: {
      const unknown: never = h.type;
      throw new KilnError('snapshot/bad-layer-entry', `layer entry ${h.name} has unsupported type ${String(unknown)}`);
    }
  }
}
