import type { HeadModel, HeadWeights, Hypersphere } from '../contracts/head.js';
import { ImdadError } from '../errors.js';
import { tf } from '../tf.js';

/** Options every hypersphere head shares. */
export interface HypersphereHeadOptions {
  /** Quantile of unlabeled distances to the mean embedding that the warm start puts on the sphere. */
  readonly warmStartQuantile: number;
}

/** The `q`-quantile of `values` (linear interpolation, like numpy's default). */
export function quantile(values: Float32Array, q: number): number {
  const sorted = Float32Array.from(values).sort();
  if (sorted.length === 0) return 0;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/**
 * The final layer every head shares: a linear unit `(w, b)` over the embedding
 * plus the fixed term `||phi||^2`, so that
 * `f(phi) = ||phi||^2 + w . phi + b = ||phi - c||^2 - R^2` with `c = -w/2`,
 * `R^2 = ||w||^2/4 - b`. Center and radius are never stored apart from the weights.
 * Subclasses supply the objective.
 */
export abstract class HypersphereHeadModel implements HeadModel {
  /** The linear weights `w`; the center is `-w/2`. */
  readonly w: tf.Variable<tf.Rank.R1>;
  /** The bias `b`; the squared radius is `||w||^2/4 - b`. */
  readonly b: tf.Variable<tf.Rank.R0>;

  constructor(
    /** The head's name (`sslm`, `deep-sad`, ...). */
    readonly name: string,
    /** Width of the embeddings this head scores. */
    readonly embeddingDim: number,
    /** Options shared by every head (the warm-start quantile). */
    protected readonly options: HypersphereHeadOptions,
    /** Baselines with a fixed center do not train `(w, b)` by gradient. */
    trainable = true,
  ) {
    // tidy frees the initial values; variables survive it. tfjs names them uniquely.
    this.w = tf.tidy(() => tf.variable(tf.zeros([embeddingDim]), trainable) as tf.Variable<tf.Rank.R1>);
    this.b = tf.tidy(() => tf.variable(tf.scalar(-1), trainable) as tf.Variable<tf.Rank.R0>);
  }

  get trainableVariables(): readonly tf.Variable[] {
    return this.w.trainable ? [this.w, this.b] : [];
  }

  score(phi: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => tf.add(tf.add(tf.sum(tf.square(phi), 1), tf.dot(phi, this.w)), this.b) as tf.Tensor1D);
  }

  /** `R^2 = ||w||^2 / 4 - b` as a tensor, differentiable in `(w, b)`. */
  protected radiusSquaredTensor(): tf.Scalar {
    return tf.sub(tf.div(tf.sum(tf.square(this.w)), 4), this.b);
  }

  /** Squared distance to the center, `||phi - c||^2`, as a tensor. */
  protected distanceSquared(phi: tf.Tensor2D): tf.Tensor1D {
    return tf.add(this.score(phi), this.radiusSquaredTensor()) as tf.Tensor1D;
  }

  abstract loss(phi: tf.Tensor2D, target: tf.Tensor1D, trainingRows: number): tf.Scalar;

  /** Center at the mean embedding, radius at a quantile of the distances, written into `(w, b)`. */
  warmStart(phiUnlabeled: tf.Tensor2D): void {
    const center = tf.tidy(() => tf.mean(phiUnlabeled, 0) as tf.Tensor1D);
    this.placeSphere(center, phiUnlabeled, this.options.warmStartQuantile);
    center.dispose();
  }

  finish(_phiUnlabeled: tf.Tensor2D): void {}

  /** Writes `c` and the `q`-quantile of the squared distances of `phi` to `c` into `(w, b)`. */
  protected placeSphere(center: tf.Tensor1D, phi: tf.Tensor2D, q: number): void {
    const distances = tf.tidy(() => tf.sum(tf.square(tf.sub(phi, center)), 1));
    const d2 = distances.dataSync() as Float32Array;
    distances.dispose();
    const radiusSquared = quantile(d2, q);
    tf.tidy(() => {
      this.w.assign(tf.mul(center, -2));
      this.b.assign(tf.sub(tf.sum(tf.square(center)), radiusSquared));
    });
  }

  sphere(): Hypersphere {
    const { w, b } = this.getWeights();
    let norm2 = 0;
    const center = new Float32Array(w.length);
    for (let k = 0; k < w.length; k++) {
      center[k] = -w[k] / 2;
      norm2 += w[k] * w[k];
    }
    return { center, radiusSquared: norm2 / 4 - b };
  }

  /** Reads the current `(w, b)`. */
  getWeights(): HeadWeights {
    return { w: this.w.dataSync() as Float32Array, b: this.b.dataSync()[0] };
  }

  /** Overwrites `(w, b)`, e.g. when loading a saved model. */
  setWeights(weights: HeadWeights): void {
    if (weights.w.length !== this.embeddingDim) {
      throw new ImdadError('model', `head weights have ${weights.w.length} values, the embedding has ${this.embeddingDim}`);
    }
    tf.tidy(() => {
      this.w.assign(tf.tensor1d(weights.w));
      this.b.assign(tf.scalar(weights.b));
    });
  }

  /** Frees `w` and `b`. */
  dispose(): void {
    this.w.dispose();
    this.b.dispose();
  }
}

/** Mean of `values` over the rows where `mask` is 1; 0 when no row is selected. */
export function maskedMean(values: tf.Tensor1D, mask: tf.Tensor1D): tf.Scalar {
  return tf.div(tf.sum(tf.mul(values, mask)), tf.maximum(tf.sum(mask), 1));
}

/** Masks for labeled anomalies (`target = +1`) and unlabeled rows (`target = -1`). */
export function targetMasks(target: tf.Tensor1D): { anomalies: tf.Tensor1D; unlabeled: tf.Tensor1D } {
  const anomalies = tf.cast(tf.greater(target, 0), 'float32') as tf.Tensor1D;
  return { anomalies, unlabeled: tf.sub(1, anomalies) as tf.Tensor1D };
}
