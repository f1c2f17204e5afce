import type { tf } from '../tf.js';
import type { Dataset } from './dataset.js';
import type { HeadModel, Hypersphere } from './head.js';
import type { Configurable } from './options.js';

/** Extension point: explains why rows score as they do. */
export const Explainer = Symbol.for('imdad/Explainer');

/** What an explainer may read of a trained model. */
export interface ExplainableModel {
  readonly network: tf.LayersModel;
  readonly head: HeadModel;
  readonly inputShape: readonly number[];
  /** Maps raw rows to the network's input space (e.g. min-max scaling). */
  preprocess(x: Float32Array): Float32Array;
  /** Preprocessed row nearest the center among the unlabeled training rows: the normal reference. */
  readonly reference?: Float32Array;
}

/** The explanation of one row. */
export interface RowExplanation {
  readonly index: number;
  readonly score: number;
  /** Per embedding dimension: `(phi_k - c_k)^2`; they sum to `score + R^2`. */
  readonly dimensions: readonly number[];
  /** Per input value: the attribution of the score. */
  readonly attributions: readonly number[];
}

export interface Explanation {
  readonly sphere: Hypersphere;
  readonly rows: readonly RowExplanation[];
}

export interface Explainer<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  explain(model: ExplainableModel, rows: Dataset, indices: readonly number[], options: Options): Promise<Explanation>;
}
