/**
 * `imdad-plugin-conv1d`: a 1-D convolutional backbone for time-series windows.
 * Enable it with `"plugins": ["conv1d"]` and `"backbone": "conv1d"` in `.imdadrc.json`.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './conv1d-module.js';
export { Conv1dEncoder, MIN_WINDOW_LENGTH, conv1dOptionsSchema, type Conv1dOptions } from './conv1d-encoder.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'conv1d',
  kind: 'encoder',
  description: '1-D convolutional backbone for time-series windows',
  provides: ['conv1d'],
};
