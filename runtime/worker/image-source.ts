import type { Readable } from 'node:stream';
import type { ImageConfig, llb } from '../../compiler/index.js';

/** A resolved image: its digest, config and layer blobs (lowest first). */
export interface ResolvedImage {
  readonly digest: string;
  readonly config: ImageConfig;
  readonly layers: readonly { readonly digest: string; readonly mediaType: string }[];
  /** Opens a layer blob (compressed as stored). */
  openLayer(digest: string): Promise<Readable>;
}

/** Resolves image references for `docker-image://` / `oci-layout://` sources (the local image store). */
export interface ImageSource {
  resolve(ref: string, platform: llb.Platform): Promise<ResolvedImage>;
}
