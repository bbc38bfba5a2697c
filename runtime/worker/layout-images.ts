import { KilnError } from '../../compiler/index.js';
import type { llb } from '../../compiler/index.js';
import { OciLayout } from '../oci/oci-layout.js';
import type { ImageSource, ResolvedImage } from './image-source.js';

/** Images from OCI image layout directories (`--image-layout`), searched in order. */
export class LayoutImageSource implements ImageSource {
  readonly #layouts: readonly OciLayout[];

  private constructor(layouts: readonly OciLayout[]) {
    this.#layouts = layouts;
  }

  static async open(dirs: readonly string[]): Promise<LayoutImageSource> {
    return new LayoutImageSource(await Promise.all(dirs.map((d) => OciLayout.open(d))));
  }

  async resolve(ref: string, platform: llb.Platform): Promise<ResolvedImage> {
    const errors: string[] = [];
    for (const layout of this.#layouts) {
      try {
        const r = await layout.resolve(ref, platform);
        return { digest: r.digest, config: r.config, layers: r.layers, openLayer: async (d) => layout.openBlob(d) };
      } catch (err) {
        errors.push(err instanceof Error ? err.message : String(err));
      }
    }
    throw new KilnError('image/not-found', `image ${ref} not found${errors.length ? `: ${errors.join('; ')}` : ' (no image layouts given: pass --image-layout DIR)'}`);
  }
}
