import type { Preprocessing } from './preprocessing.js';

/** A contribution and the options it was used with. */
export interface ComponentSpec {
  readonly name: string;
  readonly options: Record<string, unknown>;
}

/** One tensor in `weights.bin`, in file order. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
}

/** `manifest.json` of a model directory: everything needed to rebuild and explain the model. */
export interface ModelManifest {
  readonly format: 'imdad-model';
  readonly formatVersion: 1;
  readonly versions: { readonly imdad: string; readonly tfjs: string };
  readonly createdAt: string;
  /** Backend the model was trained on. */
  readonly backend: string;
  readonly encoder: ComponentSpec;
  readonly head: ComponentSpec;
  readonly trainer: ComponentSpec;
  readonly seed: number;
  readonly inputShape: readonly number[];
  readonly embeddingDim: number;
  readonly featureNames?: readonly string[];
  readonly preprocessing: Preprocessing;
  /** Read from the head's weights when the model was saved. */
  readonly sphere: { readonly center: readonly number[]; readonly radius: number; readonly radiusSquared: number };
  readonly training: {
    readonly rows: number;
    readonly labeledAnomalies: number;
    readonly epochs: number;
    readonly seconds: number;
    /** sha256 of the training features and labels: which data made this model. */
    readonly fingerprint: string;
  };
  /** The preprocessed unlabeled training row nearest the center: the normal reference for explanations. */
  readonly reference: readonly number[] | null;
  readonly weights: readonly WeightSpec[];
}

export const MODEL_FORMAT = 'imdad-model';
export const MODEL_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';
