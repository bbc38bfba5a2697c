import { constants } from 'node:fs';
import { chmod, link, lstat, mkdir, open, rm, symlink } from 'node:fs/promises';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { FileOpError, isErrno } from './file-op-error.js';
import { applyOwner, mkdirAll, setTimes } from './fs-meta.js';
import type { Owner, Timestamp } from './fs-meta.js';
import { resolveInRoot } from './resolve-in-root.js';
import { makeNode } from './special-file.js';
import { decompressedStream, detectCompression, isTarHeader, readHead } from './decompress.js';

/**
 * Docker's ADD of a local archive (BuildKit's `unpack`): when `src` in the source root is a
 * regular file that reads as a tar (plain, gzip, bzip2, xz or zstd), extracts it into
 * directory `dest` of the target root, created with 0755 (and `owner`, `time`) if missing,
 * and returns true; returns false, touching nothing, for anything else so the caller copies.
 *
 * Extraction follows moby/go-archive's `Untar` inside a chroot at `dest`: entries keep their
 * modes and times and, unless `owner` is given, their owners; names and hard links cannot
 * leave `dest`, nor can a relative symlink target; existing entries are replaced except
 * directories, which merge.
 */
export async function unpackArchive(roots: { readonly source: string; readonly target: string }, src: string, dest: string, owner: Owner | undefined, time: Timestamp | undefined): Promise<boolean> {
  const srcHost = await resolveInRoot(roots.source, src, { followFinal: true });
  const compression = await archiveCompression(srcHost);
  if (compression === undefined) return false;
  const destHost = await resolveInRoot(roots.target, dest, { followFinal: true });
  await mkdirAll(destHost, 0o755, owner, time, dest);
  await extractTar(decompressedStream(srcHost, compression), destHost, owner);
  return true;
}

/** The compression of an archive at `path`, or undefined when it is not a tar (go-archive `isArchivePath`). */
async function archiveCompression(path: string): Promise<Awaited<ReturnType<typeof detectCompression>> | undefined> {
  try {
    if (!(await lstat(path)).isFile()) return undefined;
    const compression = await detectCompression(path);
    return isTarHeader(await readHead(decompressedStream(path, compression), 512)) ? compression : undefined;
  } catch (err) {
    if (isErrno(err)) return undefined;
    throw err;
  }
}

/** Extracts a tar stream into `dest` (a host directory), each entry resolved inside it. */
async function extractTar(input: Readable, dest: string, owner: Owner | undefined): Promise<void> {
  const dirs: { path: string; time: Timestamp }[] = [];
  const extract = tar.extract();
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  for await (const entry of extract) {
    const hdr = entry.header;
    const name = posix.normalize(hdr.name).replace(/(.)\/+$/, '$1');
    if (name === '..' || name.startsWith('../')) throw breakout(`${JSON.stringify(hdr.name)} is outside of the destination`);
    // The parent is resolved inside `dest` as chroot(dest) would; the entry itself never is.
    const path = await resolveInRoot(dest, name, { followFinal: false });
    await mkdirAll(posix.dirname(path), 0o755, undefined, undefined, posix.dirname(name));
    const existing = await lstat(path).catch((err: unknown) => {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    });
    const type = hdr.type ?? 'file';
    if (existing !== undefined) {
      if (existing.isDirectory() && (name === '.' || name === '/')) {
        entry.resume();
        continue;
      }
      if (!existing.isDirectory() || type !== 'directory') await rm(path, { recursive: true, force: true });
    }
    const mode = (hdr.mode ?? 0) & 0o7777;
    switch (type) {
      case 'directory':
        if (existing === undefined || !existing.isDirectory()) await mkdir(path, mode | 0o700);
        break;
      case 'file':
      case 'contiguous-file': {
        const fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600);
        try {
          for await (const chunk of entry) await fh.write(chunk as Buffer);
        } finally {
          await fh.close();
        }
        break;
      }
      case 'link': {
        const linkname = hdr.linkname ?? '';
        if (!withinRoot(posix.join(ROOT, linkname))) throw breakout(`invalid hardlink ${JSON.stringify(name)} -> ${JSON.stringify(linkname)}`);
        await link(await resolveInRoot(dest, linkname, { followFinal: false }), path);
        break;
      }
      case 'symlink': {
        const linkname = hdr.linkname ?? '';
        // go-archive joins the target to the link's directory, so an absolute target passes
        // (it means `dest`'s root inside the chroot); a relative one must not climb out.
        if (!withinRoot(posix.join(ROOT, posix.dirname(`/${name}`), linkname))) {
          throw breakout(`invalid symlink ${JSON.stringify(name)} -> ${JSON.stringify(linkname)}`);
        }
        await symlink(linkname, path);
        break;
      }
      case 'block-device':
      case 'character-device':
      case 'fifo':
        await makeNode(path, type === 'fifo' ? 'p' : type === 'block-device' ? 'b' : 'c', mode, hdr.devmajor ?? 0, hdr.devminor ?? 0);
        break;
      default:
        throw new FileOpError('archive', `unhandled tar header type ${type} for ${JSON.stringify(hdr.name)}`, hdr.name);
    }
    entry.resume();
    applyOwner(path, owner, { uid: hdr.uid ?? 0, gid: hdr.gid ?? 0 });
    const isLinkToSymlink = type === 'link' && (await lstat(path)).isSymbolicLink();
    if (type !== 'symlink' && !isLinkToSymlink) await chmod(path, mode);
    const mtime = hdr.mtime ?? new Date(0);
    const ts: Timestamp = { sec: Math.floor(mtime.getTime() / 1000), nsec: (mtime.getTime() % 1000) * 1e6 };
    // Directory times are set last: extracting into a directory moves its mtime.
    if (type === 'directory') dirs.push({ path, time: ts });
    else setTimes(path, ts);
  }
  for (const d of dirs) setTimes(d.path, d.time);
}

// A stand-in for the destination in lexical checks of link targets.
const ROOT = '/dest';

function withinRoot(p: string): boolean {
  return p === ROOT || p.startsWith(`${ROOT}/`);
}

function breakout(message: string): FileOpError {
  return new FileOpError('archive', `archive breakout: ${message}`);
}
