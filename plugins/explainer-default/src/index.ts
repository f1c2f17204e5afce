/**
 * `@imdad/explainer-default`: explains scores through the model's read-out
 * (center and radius from the weights), the score's decomposition over
 * embedding dimensions and input attributions (integrated gradients, gradient,
 * gradient x input), and draws them in one self-contained HTML report.
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';

export { default } from './explainer-default-module.js';
export { DefaultExplainer, defaultExplainerOptionsSchema, type DefaultExplainerOptions } from './default-explainer.js';
export { ATTRIBUTION_METHODS, gradientAttributions, integratedGradients, type AttributionMethod } from './attributions.js';
export { principalPlane, projectPoint, symmetricEigen, type EigenDecomposition, type PlaneProjection } from './pca.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'explainer-default',
  kind: 'explainer',
  description: 'score decomposition, input attributions and a self-contained HTML report',
  provides: ['default'],
};
