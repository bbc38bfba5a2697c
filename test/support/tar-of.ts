import { PassThrough } from 'node:stream';
import { writeLayerTar } from '../../runtime/snapshot/index.js';

/** A directory as an OCI layer tar, in memory (tests only: trees are small). */
export async function tarOf(dir: string): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await writeLayerTar(dir, out);
  return Buffer.concat(chunks);
}
