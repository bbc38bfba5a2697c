// Exporters: where a build's result goes.
export { exportLocal } from './local-exporter.js';
export { exportTar } from './tar-exporter.js';
