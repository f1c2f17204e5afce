/**
 * `imdad`: Interpretable Maximum Margin Deep Anomaly Detection as a library.
 * {@link Detector} fits, scores, explains, saves and loads; the MLP, CNN and
 * ResNet backbones, the max-margin heads and the default explainer are built in.
 *
 * This is the browser entry (bundlers pick it through the `browser`
 * condition); Node gets `imdad/node`, which adds models on disk, file loaders
 * and plugins by name. Both export the same {@link Detector}.
 *
 * @packageDocumentation
 */
export { Detector, type DetectorOptions, type ExplainOptions, type FitOptions, type LoadOptions } from './detector.js';
export type { Labels, Rows, ShapedArray } from './inputs.js';
export { BROWSER_PLUGINS } from './platform.js';
export {
  BACKEND_NAMES,
  ImdadError,
  IMDAD_VERSION,
  auroc,
  auprc,
  evaluateScores,
  listBackends,
  tf,
  type BackendName,
  type BackendPreference,
  type BackendStatus,
  type Evaluation,
  type Explanation,
  type ImdadErrorKind,
  type ModelFiles,
  type ModelManifest,
  type PluginManifest,
  type PluginModule,
  type RowExplanation,
  type SphereReadout,
  type TrainingProgress,
} from '@imdad/core';
