/**
 * `@imdad/backbone-mlp`: the multilayer-perceptron backbone for tabular data.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './backbone-mlp-module.js';
export { MlpEncoder, defaultHiddenUnits, mlpOptionsSchema, type MlpOptions } from './mlp-encoder.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'backbone-mlp',
  kind: 'encoder',
  description: 'multilayer perceptron backbone for tabular rows',
  provides: ['mlp'],
};
