import type { Preprocessing } from './preprocessing.js';

/** A contribution and the options it was used with. */
export interface ComponentSpec {
  /** The name the contribution is registered under. */
  readonly name: string;
  /** The options it was used with, defaults filled in. */
  readonly options: Record<string, unknown>;
}

/** One tensor in `weights.bin`, in file order. */
export interface WeightSpec {
  /** Name of the tensor (the variable's name). */
  readonly name: string;
  /** The tensor's dimensions. */
  readonly shape: readonly number[];
}

/** `manifest.json` of a model directory: everything needed to rebuild and explain the model. */
export interface ModelManifest {
  /** Marks the file as an imdad model manifest. */
  readonly format: 'imdad-model';
  /** Version of the manifest format, bumped on incompatible changes. */
  readonly formatVersion: 1;
  /** Versions of the software that wrote the model. */
  readonly versions: {
    /** Version of imdad. */
    readonly imdad: string;
    /** Version of TensorFlow.js. */
    readonly tfjs: string;
  };
  /** When the model was saved, as an ISO 8601 timestamp. */
  readonly createdAt: string;
  /** Backend the model was trained on. */
  readonly backend: string;
  /** The backbone and its options. */
  readonly encoder: ComponentSpec;
  /** The head and its options. */
  readonly head: ComponentSpec;
  /** The trainer and its options. */
  readonly trainer: ComponentSpec;
  /** The seed the model was trained with. */
  readonly seed: number;
  /** Shape of one sample, without the batch axis. */
  readonly inputShape: readonly number[];
  /** Width of the encoder's embedding. */
  readonly embeddingDim: number;
  /** Names of the tabular features, when the data had them. */
  readonly featureNames?: readonly string[];
  /** How raw rows are mapped to the network's input. */
  readonly preprocessing: Preprocessing;
  /** Read from the head's weights when the model was saved. */
  readonly sphere: {
    /** The center `c` in embedding space. */
    readonly center: readonly number[];
    /** `sqrt(max(R^2, 0))`. */
    readonly radius: number;
    /** `R^2`; may be `<= 0` for an empty sphere. */
    readonly radiusSquared: number;
  };
  /** Facts about the training run. */
  readonly training: {
    /** Number of training rows. */
    readonly rows: number;
    /** How many of the training rows were labeled anomalies. */
    readonly labeledAnomalies: number;
    /** Main-phase epochs run. */
    readonly epochs: number;
    /** Wall-clock training time in seconds, including time before a resume. */
    readonly seconds: number;
    /** sha256 of the training features and labels: which data made this model. */
    readonly fingerprint: string;
    /** Set when training was resumed from a checkpoint: the last epoch the checkpoint had completed. */
    readonly resumedAtEpoch?: number;
  };
  /** The preprocessed unlabeled training row nearest the center: the normal reference for explanations. */
  readonly reference: readonly number[] | null;
  /** The tensors in `weights.bin`, in file order. */
  readonly weights: readonly WeightSpec[];
}

export const MODEL_FORMAT = 'imdad-model';
export const MODEL_FORMAT_VERSION = 1;
/** The model directory's manifest: what the model is and how to rebuild it. */
export const MANIFEST_FILE = 'manifest.json';
/** The model directory's weights: every weight as little-endian float32, in manifest order. */
export const WEIGHTS_FILE = 'weights.bin';
