/**
 * `@imdad/loader-images`: image data loaders, IDX files (MNIST) and folders of PNG images.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './loader-images-module.js';
export { IdxLoader, siblingLabelsFile } from './idx-loader.js';
export { PngLoader, pngLayout, NORMAL_FOLDER, ANOMALY_FOLDER, type PngLayout } from './png-loader.js';
export { parseIdx, parseIdxHeader, decompress, type IdxHeader, type IdxKind } from './idx.js';
export { resizeBilinear, toChannels, type RgbaImage } from './image-ops.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'loader-images',
  kind: 'loader',
  description: 'image loaders: IDX files (*-idx3-ubyte[.gz], MNIST) and folders of PNG images (class folders or normal/ and anomaly/)',
  provides: ['idx', 'png'],
};
