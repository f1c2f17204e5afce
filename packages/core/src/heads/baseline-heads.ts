import { injectable } from 'inversify';
import { z } from 'zod';
import type { Head } from '../contracts/head.js';
import { tf } from '../tf.js';
import { HypersphereHeadModel, maskedMean, targetMasks } from './hypersphere-head.js';

/** Options of the Deep SVDD / Deep SAD baselines. */
export const baselineOptionsSchema = z.strictObject({
  /** Deep SAD's eta: weight of the labeled anomalies' inverse-distance term. */
  eta: z.number().positive().default(1),
  /** Fraction of unlabeled training rows left outside the sphere when the radius is set after training. */
  nu: z.number().gt(0).lt(1).default(0.05),
  /** Quantile of unlabeled distances to the center that the warm start puts on the sphere. */
  warmStartQuantile: z.number().gt(0).lt(1).default(0.9),
});

/** Options of the Deep SVDD / Deep SAD heads, defaults filled in. */
export type BaselineHeadOptions = z.infer<typeof baselineOptionsSchema>;

/** Ruff et al. keep center coordinates away from 0, where a network can trivially map everything. */
const CENTER_EPS = 0.1;

/**
 * Deep SVDD / Deep SAD: the center is fixed at the mean initial embedding and
 * only the encoder learns; the radius is set after training so that a fraction
 * `nu` of the unlabeled rows falls outside. Both still read `c` and `R` from `(w, b)`.
 */
export class FixedCenterHeadModel extends HypersphereHeadModel {
  constructor(
    name: 'deep-svdd' | 'deep-sad',
    embeddingDim: number,
    private readonly baseline: BaselineHeadOptions,
  ) {
    super(name, embeddingDim, baseline, false);
  }

  override warmStart(phiUnlabeled: tf.Tensor2D): void {
    const center = tf.tidy(() => {
      const mean = tf.mean(phiUnlabeled, 0);
      const sign = tf.where(tf.greaterEqual(mean, 0), tf.onesLike(mean), tf.neg(tf.onesLike(mean)));
      return tf.where(tf.less(tf.abs(mean), CENTER_EPS), tf.mul(sign, CENTER_EPS), mean) as tf.Tensor1D;
    });
    this.placeSphere(center, phiUnlabeled, this.options.warmStartQuantile);
    center.dispose();
  }

  override finish(phiUnlabeled: tf.Tensor2D): void {
    const center = tf.tensor1d(this.sphere().center);
    this.placeSphere(center, phiUnlabeled, 1 - this.baseline.nu);
    center.dispose();
  }

  override loss(phi: tf.Tensor2D, target: tf.Tensor1D): tf.Scalar {
    return tf.tidy(() => {
      const d2 = this.distanceSquared(phi);
      const { anomalies, unlabeled } = targetMasks(target);
      if (this.name === 'deep-svdd') return maskedMean(d2, unlabeled);
      // Deep SAD: pull unlabeled rows in, push labeled anomalies out by the inverse distance.
      const inverse = tf.mul(tf.reciprocal(tf.add(d2, 1e-6)), this.baseline.eta);
      return tf.mean(tf.add(tf.mul(d2, unlabeled), tf.mul(inverse, anomalies))) as tf.Scalar;
    });
  }
}

abstract class BaselineHead implements Head<BaselineHeadOptions> {
  /** The name users pick this head by. */
  abstract readonly name: 'deep-svdd' | 'deep-sad';
  /** One sentence for listings and docs. */
  abstract readonly description: string;
  readonly optionsSchema = baselineOptionsSchema;

  /** Builds a fixed-center head model for embeddings of the given width. */
  create(embeddingDim: number, options: BaselineHeadOptions): FixedCenterHeadModel {
    return new FixedCenterHeadModel(this.name, embeddingDim, options);
  }
}

/** Deep SVDD (Ruff et al., ICML 2018), one-class: labeled anomalies are ignored. */
@injectable()
export class DeepSvddHead extends BaselineHead {
  readonly name = 'deep-svdd';
  readonly description = 'baseline: one-class Deep SVDD, fixed center, labels ignored';
}

/** Deep SAD (Ruff et al., ICLR 2020): labeled anomalies pushed away by eta / distance. */
@injectable()
export class DeepSadHead extends BaselineHead {
  readonly name = 'deep-sad';
  readonly description = 'baseline: Deep SAD, fixed center, eta-weighted inverse distance for labeled anomalies';
}
