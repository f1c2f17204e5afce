import type { tf } from '../tf.js';
import type { Configurable } from './options.js';

/** Extension point: a head, i.e. the final layer and the training objective over the embedding. */
export const Head = Symbol.for('imdad/Head');

/** The hypersphere a head describes, read from its weights (`c = -w/2`, `R^2 = ||w||^2/4 - b`). */
export interface Hypersphere {
  /** The sphere's center `c` in embedding space. */
  readonly center: Float32Array;
  /** May be `<= 0`: an empty sphere, reported as a diagnostic and never hidden. */
  readonly radiusSquared: number;
}

/** The final layer's parameters: the linear unit `(w, b)` over the embedding. */
export interface HeadWeights {
  /** Linear weights over the embedding, one per dimension. */
  readonly w: Float32Array;
  /** The bias term. */
  readonly b: number;
}

/**
 * A head bound to one embedding width. Its score is
 * `f(phi) = ||phi||^2 + w . phi + b = ||phi - c||^2 - R^2`, positive outside the sphere.
 */
export interface HeadModel {
  /** The head's name (`sslm`, `deep-sad`, ...). */
  readonly name: string;
  /** Width of the embeddings this head scores. */
  readonly embeddingDim: number;
  /** Variables the optimiser updates (may be empty: a fixed-center baseline). */
  readonly trainableVariables: readonly tf.Variable[];
  /** `f(phi)` for a batch of embeddings `[batch, d]`. */
  score(phi: tf.Tensor2D): tf.Tensor1D;
  /**
   * The objective for one mini-batch. `target` is +1 for labeled anomalies and
   * -1 for unlabeled rows; `trainingRows` is the size of the training set.
   */
  loss(phi: tf.Tensor2D, target: tf.Tensor1D, trainingRows: number): tf.Scalar;
  /** Writes a data-driven start into `(w, b)` from embeddings of unlabeled rows, before training. */
  warmStart(phiUnlabeled: tf.Tensor2D): void;
  /** Called once after training with the final embeddings of unlabeled rows. */
  finish(phiUnlabeled: tf.Tensor2D): void;
  /** The current center and squared radius, read from `(w, b)`. */
  sphere(): Hypersphere;
  /** Reads the current `(w, b)`. */
  getWeights(): HeadWeights;
  /** Overwrites `(w, b)`, e.g. when loading a saved model. */
  setWeights(weights: HeadWeights): void;
  /** Frees the head's tensors. */
  dispose(): void;
}

/** A head plugin: builds a head model for an embedding width. */
export interface Head<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  /** Builds a head model for embeddings of the given width. */
  create(embeddingDim: number, options: Options): HeadModel;
}
