import { describe, expect, it } from 'vitest';
import { maxAbsDiff, randomValues } from '../../testing/fixtures.js';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { BATCH_NORM_ACTIVATION, BATCH_NORM_ACTIVATION_GRAD } from './batch-norm-activation.js';

const EPSILON = 1e-4;
const TOLERANCE = 2e-4;

interface Case {
  shape: number[];
  alpha: number;
  center: boolean;
}

/** Batch norm by batch statistics + activation, with tfjs ops (as core's BatchNorm and tf.leakyRelu). */
function withOps(x: tf.Tensor, beta: tf.Tensor | undefined, alpha: number): tf.Tensor {
  const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, axis) => axis));
  let z = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPSILON)));
  if (beta) z = tf.add(z, beta);
  return tf.leakyRelu(z, alpha);
}

async function compare(backend: string, c: Case): Promise<void> {
  await tf.setBackend(backend);
  tf.tidy(() => {
    const channels = c.shape[c.shape.length - 1];
    const x = tf.tensor(randomValues(tf.util.sizeFromShape(c.shape), 1), c.shape).mul(3).add(1);
    const dy = tf.tensor(randomValues(tf.util.sizeFromShape(c.shape), 2), c.shape);
    const beta = c.center ? tf.tensor1d(randomValues(channels, 3)) : undefined;
    const inputs = { x, ...(beta ? { beta } : {}) };
    const [y, mean, variance, invStd] = tf.engine().runKernel(BATCH_NORM_ACTIVATION, inputs, { epsilon: EPSILON, alpha: c.alpha }) as tf.Tensor[];
    const expectedY = withOps(x, beta, c.alpha);
    expect(maxAbsDiff(y.dataSync(), expectedY.dataSync())).toBeLessThan(TOLERANCE);
    const moments = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, axis) => axis));
    expect(maxAbsDiff(mean.dataSync(), moments.mean.dataSync())).toBeLessThan(TOLERANCE);
    expect(maxAbsDiff(variance.dataSync(), moments.variance.dataSync())).toBeLessThan(TOLERANCE * 10);

    const [dx, dbeta] = tf.engine().runKernel(BATCH_NORM_ACTIVATION_GRAD, { dy, x, mean, invStd, ...(beta ? { beta } : {}) }, { alpha: c.alpha }) as tf.Tensor[];
    const f = (xIn: tf.Tensor, betaIn?: tf.Tensor) => tf.sum(tf.mul(withOps(xIn, betaIn, c.alpha), dy));
    const expected = beta ? tf.grads((a: tf.Tensor, b: tf.Tensor) => f(a, b))([x, beta]) : [tf.grad((a: tf.Tensor) => f(a))(x)];
    expect(maxAbsDiff(dx.dataSync(), expected[0].dataSync())).toBeLessThan(TOLERANCE);
    if (beta) expect(maxAbsDiff(dbeta.dataSync(), expected[1].dataSync())).toBeLessThan(TOLERANCE * 10);

    // Inference: given statistics, one output.
    const movingMean = tf.tensor1d(randomValues(channels, 4));
    const movingVariance = tf.tensor1d(randomValues(channels, 5)).abs().add(0.5);
    const [inferred, ...rest] = tf.engine().runKernel(BATCH_NORM_ACTIVATION, { ...inputs, mean: movingMean, variance: movingVariance }, { epsilon: EPSILON, alpha: c.alpha }) as tf.Tensor[];
    expect(rest).toHaveLength(0);
    let z = tf.mul(tf.sub(x, movingMean), tf.rsqrt(tf.add(movingVariance, EPSILON)));
    if (beta) z = tf.add(z, beta);
    expect(maxAbsDiff(inferred.dataSync(), tf.leakyRelu(z, c.alpha).dataSync())).toBeLessThan(TOLERANCE);
  });
}

useWasmBackendForThisFile(false);

describe('ImdadBatchNormActivation and its gradient', () => {
  const cases: Case[] = [];
  for (const shape of [[6, 5, 4, 3], [10, 7], [3, 4, 4, 40]])
    for (const alpha of [0.1, 0, 1])
      for (const center of [false, true]) cases.push({ shape, alpha, center });

  for (const backend of ['cpu', 'wasm']) {
    it.each(cases.map((c) => [`x [${c.shape}] alpha ${c.alpha}${c.center ? ' with beta' : ''}`, c] as const))(
      `should match batch norm + leaky ReLU written with tfjs ops on ${backend} for %s`,
      async (_, c) => compare(backend, c),
    );
  }

  it('should refuse per-channel inputs of the wrong size', async () => {
    await tf.setBackend('wasm');
    expect(() => tf.tidy(() => tf.engine().runKernel(BATCH_NORM_ACTIVATION, { x: tf.ones([2, 3]), beta: tf.ones([4]) }, { epsilon: EPSILON, alpha: 0.1 }))).toThrow(/3 values/);
  });
});
