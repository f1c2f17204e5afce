/**
 * `@imdad/core`: the extension points of imdad (encoder, head, trainer,
 * explainer, data loader), the container that wires them, the max-margin
 * heads, the trainer, models as files and backend selection.
 *
 * This entry imports no Node built-in, so that it bundles for browsers; what
 * needs a file system (plugins by name, the model store on disk, checkpoints,
 * data files) is `@imdad/core/node`.
 *
 * @packageDocumentation
 */
import 'reflect-metadata';

export { tf } from './tf.js';
export { ImdadError, type ImdadErrorKind } from './errors.js';
export { IMDAD_VERSION } from './version.js';
export { SeededRandom } from './random.js';

export { sampleSize, type Dataset } from './contracts/dataset.js';
export { parseOptions, type Configurable } from './contracts/options.js';
export { PLUGIN_KINDS, type PluginKind, type PluginManifest, type LoadedPlugin } from './contracts/plugin.js';
export { Encoder, type EncoderBuildContext } from './contracts/encoder.js';
export { Head, type HeadModel, type HeadWeights, type Hypersphere } from './contracts/head.js';
export {
  Trainer,
  type SnapshotTensor,
  type TrainCheckpointing,
  type TrainerSnapshot,
  type TrainRequest,
  type TrainResult,
  type TrainingProgress,
} from './contracts/trainer.js';
export {
  Explainer,
  type ExplainableModel,
  type Explanation,
  type ExplanationReport,
  type ExplanationRequest,
  type NearbyRow,
  type RowExplanation,
  type SphereReadout,
} from './contracts/explainer.js';
export { DataLoader, type LoadOptions } from './contracts/data-loader.js';

export { createContainer, type ContainerConfig, type ImdadContainer } from './container.js';
export { getContribution, listContributions, assertUniqueNames, type Named } from './contributions.js';
export { pluginFromModule, type PluginModule } from './plugins/plugin-module.js';

export {
  BACKEND_NAMES,
  BACKEND_ENV_VAR,
  activeBackend,
  backendFromEnvironment,
  isBackendPreference,
  listBackends,
  useBackend,
  type BackendName,
  type BackendPreference,
  type BackendStatus,
} from './backend/backends.js';
export { registerWasmTrainingKernels } from './backend/wasm-kernels/index.js';

export { HypersphereHeadModel, quantile, type HypersphereHeadOptions } from './heads/hypersphere-head.js';
export { SslmHead, SvmHead, LogisticHead, MaxMarginHeadModel, maxMarginOptionsSchema, type MaxMarginHeadOptions, type MaxMarginObjective } from './heads/max-margin-heads.js';
export { DeepSadHead, DeepSvddHead, FixedCenterHeadModel, baselineOptionsSchema, type BaselineHeadOptions } from './heads/baseline-heads.js';
export { MaxMarginTrainer, trainerOptionsSchema, type MaxMarginTrainerOptions } from './training/max-margin-trainer.js';
export { BatchPlanner } from './training/batches.js';
export { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, type CheckpointSpec, type TrainingCheckpoint } from './training/checkpoint-format.js';

export {
  Detector,
  resolveDetectorSpec,
  type CheckpointOptions,
  type DetectorSpec,
  type DetectorTrainOptions,
  type ResolvedDetectorSpec,
  type Scores,
} from './model/detector.js';
export { detectorSettingsSchema, describeSettingsIssue, type DetectorSettings } from './model/detector-settings.js';
export { decodeModel, encodeModel, parseManifest, type ModelFiles } from './model/model-files.js';
export { MANIFEST_FILE, WEIGHTS_FILE } from './model/manifest.js';
export type { ModelManifest, ComponentSpec, WeightSpec } from './model/manifest.js';
export { applyPreprocessing, fitMinMax, type Preprocessing } from './model/preprocessing.js';

export { auroc, auprc, f1AtThreshold, evaluateScores, type Evaluation } from './metrics/metrics.js';
export { semiSupervisedSplit, takeRows, type ProtocolSplit } from './bench/tabular-protocol.js';
export { oneVsRestSplit, type OneVsRestOptions, type OneVsRestSplit } from './bench/mnist-protocol.js';
export { BatchNorm, type BatchNormOptions } from './layers/batch-norm.js';
export { BatchNormActivation } from './layers/batch-norm-activation.js';
export { DenseActivation } from './layers/dense-activation.js';
export { InputConv2D } from './layers/input-conv2d.js';
