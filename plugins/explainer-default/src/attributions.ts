import { tf, type ExplainableModel } from '@imdad/core';

/** The input attributions the default explainer computes; the first is the default. */
export const ATTRIBUTION_METHODS = ['integrated-gradients', 'gradient', 'gradient-x-input'] as const;
/** One of the attribution methods in `ATTRIBUTION_METHODS`. */
export type AttributionMethod = (typeof ATTRIBUTION_METHODS)[number];

/** Rows per gradient pass for the one-step methods. */
const GRADIENT_BATCH_ROWS = 256;

/**
 * `ds/dx` for a batch of preprocessed inputs. In inference mode rows do not
 * interact, so the gradient of the summed score holds each row's own gradient.
 */
function scoreGradient(model: ExplainableModel, x: tf.Tensor): tf.Tensor {
  const summedScore = (input: tf.Tensor): tf.Scalar =>
    tf.sum(model.head.score(model.network.apply(input, { training: false }) as tf.Tensor2D));
  return tf.grad(summedScore)(x);
}

/** Reads a tensor's values and frees it. */
function release(t: tf.Tensor): Float32Array {
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}

/**
 * `gradient`: `ds/dx` at each row; `gradient-x-input`: `x * ds/dx`.
 * `prepared` holds `n` preprocessed rows, row-major over `model.inputShape`.
 */
export function gradientAttributions(model: ExplainableModel, prepared: Float32Array, n: number, timesInput: boolean): Float32Array {
  const width = prepared.length / Math.max(n, 1);
  const out = new Float32Array(prepared.length);
  for (let start = 0; start < n; start += GRADIENT_BATCH_ROWS) {
    const rows = Math.min(GRADIENT_BATCH_ROWS, n - start);
    const part = tf.tidy(() => {
      const x = tf.tensor(prepared.subarray(start * width, (start + rows) * width), [rows, ...model.inputShape]);
      const gradient = scoreGradient(model, x);
      return timesInput ? tf.mul(gradient, x) : gradient;
    });
    out.set(release(part), start * width);
  }
  return out;
}

/**
 * Integrated gradients (Sundararajan et al., 2017) of one preprocessed row from
 * `baseline`: `(x - x0) * mean_k ds/dx(x0 + a_k (x - x0))`, with `a_k` the
 * midpoints of `steps` equal intervals of [0, 1]. The whole path is one batch.
 * The attributions sum to about `s(x) - s(x0)` (completeness); the midpoint
 * rule is exact where the path crosses no kink of the network.
 */
export function integratedGradients(model: ExplainableModel, row: Float32Array, baseline: Float32Array, steps: number): Float32Array {
  const shape = [...model.inputShape];
  const attribution = tf.tidy(() => {
    const x = tf.tensor(row, shape);
    const x0 = tf.tensor(baseline, shape);
    const delta = tf.sub(x, x0);
    const alphas = tf.tensor(
      Float32Array.from({ length: steps }, (_, k) => (k + 0.5) / steps),
      [steps, ...shape.map(() => 1)],
    );
    const path = tf.add(x0, tf.mul(alphas, delta));
    return tf.mul(tf.mean(scoreGradient(model, path), 0), delta);
  });
  return release(attribution);
}
