import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import tar from 'tar-stream';

const TYPES: { readonly [t: string]: string } = { file: 'f', directory: 'd', symlink: 'l', link: 'h', 'character-device': 'c', 'block-device': 'b', fifo: 'p' };

/**
 * Lists a tar archive in the format of the corpus's `expected-tree.tsv`: one
 * sorted line per entry, `path TAB type TAB mode TAB uid:gid TAB size TAB
 * sha256-or-link-target` (times left out).
 */
export async function treeOfTar(archive: Uint8Array): Promise<string[]> {
  const extract = tar.extract();
  const lines: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      const hash = createHash('sha256');
      let size = 0;
      stream.on('data', (data: unknown) => {
        const chunk = data as Uint8Array;
        hash.update(chunk);
        size += chunk.length;
      });
      stream.on('end', () => {
        const type = TYPES[header.type ?? 'file'] ?? '?';
        const path = `/${header.name.replace(/^\.?\/+/, '').replace(/\/$/, '')}`;
        const mode = ((header.mode ?? 0) & 0o7777).toString(8).padStart(4, '0');
        // Hard links name their target inside the archive; show it rooted like the paths.
        const last = type === 'f' ? hash.digest('hex') : type === 'l' ? header.linkname ?? '' : type === 'h' ? `/${(header.linkname ?? '').replace(/^\.?\/+/, '')}` : '';
        lines.push([path, type, mode, `${header.uid ?? 0}:${header.gid ?? 0}`, type === 'f' ? size : 0, last].join('\t'));
        next();
      });
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  Readable.from(Buffer.from(archive)).pipe(extract);
  await done;
  return lines.filter((l) => !l.startsWith('/\t')).sort();
}
