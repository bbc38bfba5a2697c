import { createHash } from 'node:crypto';
import { lstat, readFile, readdir, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

/**
 * A directory listed for comparison: one line per entry, `path type mode
 * uid:gid mtime-seconds content-or-target`, hard-linked names sharing a `#n`.
 */
export async function listTree(root: string): Promise<string[]> {
  const lines: string[] = [];
  const inodes = new Map<number, number>();
  async function walk(dir: string, rel: string): Promise<void> {
    for (const name of (await readdir(dir)).sort()) {
      const abs = join(dir, name);
      const path = `${rel}/${name}`;
      const st = await lstat(abs);
      let type = '?';
      let body = '';
      if (st.isDirectory()) type = 'd';
      else if (st.isSymbolicLink()) [type, body] = ['l', await readlink(abs)];
      else if (st.isFile()) [type, body] = ['f', createHash('sha256').update(await readFile(abs)).digest('hex').slice(0, 12)];
      else if (st.isCharacterDevice()) [type, body] = ['c', String(st.rdev)];
      else if (st.isFIFO()) type = 'p';
      if (!st.isDirectory() && st.nlink > 1) {
        if (!inodes.has(st.ino)) inodes.set(st.ino, inodes.size);
        body += ` #${inodes.get(st.ino)}`;
      }
      const mode = type === 'l' ? '' : (st.mode & 0o7777).toString(8);
      const mtime = type === 'l' ? '' : String(Math.floor(st.mtimeMs / 1000));
      lines.push([path, type, mode, `${st.uid}:${st.gid}`, mtime, body].join(' '));
      if (st.isDirectory()) await walk(abs, path);
    }
  }
  await walk(root, '');
  return lines;
}

/** One entry of a hand-made tar. */
export interface TarEntry {
  readonly name: string;
  readonly type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'fifo';
  readonly body?: string;
  readonly linkname?: string;
  readonly mode?: number;
}

/** Builds a tar in memory (tests only: small archives). */
export async function makeTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const mode = e.mode ?? (type === 'directory' ? 0o755 : 0o644);
    pack.entry({ name: e.name, type, mode: mode | 0o100000, mtime: new Date(1_600_000_000_000), linkname: e.linkname, uid: 0, gid: 0 }, e.body ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of Readable.from(pack as AsyncIterable<Buffer>)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** The entries of a tar: name, type, mode, linkname, uid:gid, body. */
export async function readTar(archive: Buffer): Promise<{ name: string; type: string; mode: number; linkname: string; owner: string; body: string; mtime: number }[]> {
  const extract = tar.extract();
  Readable.from([archive]).pipe(extract as unknown as NodeJS.WritableStream);
  const out = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const c of entry) chunks.push(c as Buffer);
    const h = entry.header;
    out.push({ name: h.name, type: h.type, mode: h.mode & 0o7777, linkname: h.linkname ?? '', owner: `${h.uid}:${h.gid}`, body: Buffer.concat(chunks).toString(), mtime: h.mtime.getTime() / 1000 });
  }
  return out;
}
