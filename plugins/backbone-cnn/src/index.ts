/**
 * `@imdad/backbone-cnn`: the LeNet-type convolutional backbone of Deep SVDD / Deep SAD for images.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './backbone-cnn-module.js';
export { CnnEncoder, MIN_IMAGE_SIDE, cnnOptionsSchema, defaultFilters, type CnnOptions } from './cnn-encoder.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'backbone-cnn',
  kind: 'encoder',
  description: 'LeNet-type CNN backbone for images (28x28x1, 32x32x3, any HxWxC of at least 8x8)',
  provides: ['cnn'],
};
