// kiln's local image store (`kiln image load`, `kiln image ls`).
import { KilnError } from '../../compiler/index.js';
import type { llb } from '../../compiler/index.js';
import type { ImageSource, ResolvedImage } from '../worker/image-source.js';

export { ImageStore, normalizeName } from './image-store.js';
export { LayerBlobIndex } from './layer-blobs.js';
export type { LayerBlob } from './layer-blobs.js';

/** Tries image sources in order (the store, then `--image-layout` directories). */
export function chainImageSources(sources: readonly ImageSource[]): ImageSource {
  return {
    async resolve(ref: string, platform: llb.Platform): Promise<ResolvedImage> {
      const errors: string[] = [];
      for (const s of sources) {
        try {
          return await s.resolve(ref, platform);
        } catch (err) {
          errors.push(err instanceof Error ? err.message : String(err));
        }
      }
      throw new KilnError('image/not-found', errors.join('; ') || `image ${ref} not found`);
    },
  };
}
