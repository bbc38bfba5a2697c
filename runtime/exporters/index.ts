// Exporters: where a build's result goes.
export { exportLocal } from './local-exporter.js';
export { exportTar } from './tar-exporter.js';
export { buildImage, buildLayer } from './image-builder.js';
export type { BuildImageOptions, BuiltImage, Descriptor } from './image-builder.js';
export { exportImageArchive, exportImageLayout, pushImage, writeImageArchive } from './image-writers.js';
export type { ImageArchiveOptions } from './image-writers.js';
