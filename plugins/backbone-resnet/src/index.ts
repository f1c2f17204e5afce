/**
 * `@imdad/backbone-resnet`: a residual-network backbone for images.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './backbone-resnet-module.js';
export { ResnetEncoder, resnetOptionsSchema, type ResnetOptions } from './resnet-encoder.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'backbone-resnet',
  kind: 'encoder',
  description: 'ResNet backbone for images (basic residual blocks, configurable stages and width)',
  provides: ['resnet'],
};
