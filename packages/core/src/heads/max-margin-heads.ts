import { injectable } from 'inversify';
import { z } from 'zod';
import type { Head } from '../contracts/head.js';
import { tf } from '../tf.js';
import { fusedSphereLoss, registerSphereLossKernels, sphereLossFused } from './fused-sphere-loss.js';
import { HypersphereHeadModel, maskedMean, targetMasks } from './hypersphere-head.js';

/** Options of the max-margin heads. */
export const maxMarginOptionsSchema = z.strictObject({
  /** C_u: weight of the hinge that keeps unlabeled rows inside `R^2 - 1`. */
  normalWeight: z.number().positive().default(1),
  /** C_a: weight of the hinge that keeps labeled anomalies outside `R^2 + 1`. */
  anomalyWeight: z.number().positive().default(1),
  /** lambda: weight of the volume term (`R^2`, or `||w||^2 / 2` for `svm`), divided by the training rows. */
  regularization: z.number().nonnegative().default(1),
  /** `hard`: max(0, u); `smooth`: the Huberised hinge (quadratic for 0 < u < 1), whose gradient is continuous. */
  hinge: z.enum(['hard', 'smooth']).default('hard'),
  /** Quantile of unlabeled distances to the mean embedding that the warm start puts on the sphere. */
  warmStartQuantile: z.number().gt(0).lt(1).default(0.9),
});

/** Options of the max-margin heads, defaults filled in. */
export type MaxMarginHeadOptions = z.infer<typeof maxMarginOptionsSchema>;

/** The per-row penalty of a margin violation `u` (u > 0: inside the margin or on the wrong side). */
function hingePenalty(violation: tf.Tensor1D, kind: MaxMarginHeadOptions['hinge']): tf.Tensor1D {
  if (kind === 'hard') return tf.relu(violation);
  // Huberised hinge: 0 for u <= 0, u^2/2 for 0 < u < 1, u - 1/2 beyond.
  const clipped = tf.clipByValue(violation, 0, 1);
  return tf.add(tf.mul(tf.square(clipped), 0.5), tf.relu(tf.sub(violation, 1))) as tf.Tensor1D;
}

/** The objectives of the max-margin heads. */
export type MaxMarginObjective = 'sslm' | 'svm' | 'logistic';

/** The max-margin heads: unlabeled rows inside the sphere, labeled anomalies outside, a margin of 1 on both sides. */
export class MaxMarginHeadModel extends HypersphereHeadModel {
  constructor(
    name: MaxMarginObjective,
    embeddingDim: number,
    private readonly objective: MaxMarginHeadOptions,
  ) {
    super(name, embeddingDim, objective);
    registerSphereLossKernels();
  }

  override loss(phi: tf.Tensor2D, target: tf.Tensor1D, trainingRows: number): tf.Scalar {
    if (sphereLossFused()) {
      // One kernel on wasm and cpu, the same objective as the ops below.
      return tf.tidy(() =>
        fusedSphereLoss(phi, this.w, this.b, target, {
          penalty: this.name === 'logistic' ? 0 : this.objective.hinge === 'hard' ? 1 : 2,
          volume: this.name === 'svm' ? 1 : 0,
          volumeWeight: this.objective.regularization / trainingRows,
          normalWeight: this.objective.normalWeight,
          anomalyWeight: this.objective.anomalyWeight,
        }),
      );
    }
    return this.lossWithOps(phi, target, trainingRows);
  }

  /** The objective with tfjs ops: backends without the fused kernel, and the reference its spec compares to. */
  lossWithOps(phi: tf.Tensor2D, target: tf.Tensor1D, trainingRows: number): tf.Scalar {
    return tf.tidy(() => {
      const f = this.score(phi);
      const { anomalies, unlabeled } = targetMasks(target);
      let normalTerm: tf.Tensor1D;
      let anomalyTerm: tf.Tensor1D;
      if (this.name === 'logistic') {
        normalTerm = tf.softplus(f);
        anomalyTerm = tf.softplus(tf.neg(f));
      } else {
        normalTerm = hingePenalty(tf.add(f, 1), this.objective.hinge);
        anomalyTerm = hingePenalty(tf.sub(1, f), this.objective.hinge);
      }
      const volume =
        this.name === 'svm' ? tf.mul(tf.sum(tf.square(this.w)), 0.5) : tf.relu(this.radiusSquaredTensor());
      return tf.addN([
        tf.mul(volume, this.objective.regularization / trainingRows),
        tf.mul(maskedMean(normalTerm, unlabeled), this.objective.normalWeight),
        tf.mul(maskedMean(anomalyTerm, anomalies), this.objective.anomalyWeight),
      ]) as tf.Scalar;
    });
  }
}

abstract class MaxMarginHead implements Head<MaxMarginHeadOptions> {
  /** The name users pick this head by. */
  abstract readonly name: MaxMarginObjective;
  /** One sentence for listings and docs. */
  abstract readonly description: string;
  readonly optionsSchema = maxMarginOptionsSchema;

  /** Builds a max-margin head model for embeddings of the given width. */
  create(embeddingDim: number, options: MaxMarginHeadOptions): MaxMarginHeadModel {
    return new MaxMarginHeadModel(this.name, embeddingDim, options);
  }
}

/** Small sphere, large margin (Wu & Ye 2009) on a learned embedding: minimum volume plus two hinges. */
@injectable()
export class SslmHead extends MaxMarginHead {
  readonly name = 'sslm';
  readonly description = 'minimum-volume sphere with a margin of 1 on both sides (hinge losses)';
}

/** As `sslm`, with the SVM's `||w||^2 / 2` in place of the volume term. */
@injectable()
export class SvmHead extends MaxMarginHead {
  readonly name = 'svm';
  readonly description = 'hinge losses with the SVM regulariser ||w||^2 / 2';
}

/** Logistic loss `softplus(-t f)` over the hypersphere score, with the volume term. */
@injectable()
export class LogisticHead extends MaxMarginHead {
  readonly name = 'logistic';
  readonly description = 'logistic loss softplus(-t f) on the hypersphere score, with the volume term';
}
