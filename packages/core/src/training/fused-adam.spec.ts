import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomValues } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { FusedAdamOptimizer } from './fused-adam.js';

/** Runs `steps` minimisation steps of a small least-squares problem; returns the variables' values and the optimizer weights. */
async function train(backend: string, makeOptimizer: () => tf.AdamOptimizer, decayInLoss: number, steps = 6): Promise<{ variables: Float32Array[]; state: Float32Array[] }> {
  await tf.setBackend(backend);
  const kernel = tf.variable(tf.tensor2d(randomValues(12, 1), [4, 3]), true, `kernel_${backend}_${decayInLoss}_${Math.random()}`);
  const bias = tf.variable(tf.tensor1d(randomValues(3, 2)), true, `bias_${backend}_${decayInLoss}_${Math.random()}`);
  const x = tf.tensor2d(randomValues(20, 3), [5, 4]);
  const y = tf.tensor2d(randomValues(15, 4), [5, 3]);
  const optimizer = makeOptimizer();
  const variables = [kernel, bias];
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(() => {
      const fit = tf.mean(tf.square(tf.sub(tf.add(tf.matMul(x, kernel), bias), y))) as tf.Scalar;
      return decayInLoss > 0 ? (tf.add(fit, tf.mul(tf.sum(tf.square(kernel)), decayInLoss / 2)) as tf.Scalar) : fit;
    }, true, variables);
    loss?.dispose();
  }
  const state = (await optimizer.getWeights()).map((w) => Float32Array.from(w.tensor.dataSync()));
  const result = { variables: variables.map((v) => Float32Array.from(v.dataSync())), state };
  tf.dispose([kernel, bias, x, y]);
  optimizer.dispose();
  return result;
}

let initialBackend: string | undefined;

beforeAll(async () => {
  await tf.ready();
  initialBackend = tf.getBackend();
  await import('@tensorflow/tfjs-backend-wasm');
});

afterAll(async () => {
  if (initialBackend) await tf.setBackend(initialBackend);
});

describe('FusedAdamOptimizer', () => {
  for (const backend of ['cpu', 'wasm']) {
    describe(`on the ${backend} backend`, () => {
      it('should run the fused kernel', async () => {
        await tf.setBackend(backend);
        new FusedAdamOptimizer(0.01).dispose();
        expect(FusedAdamOptimizer.fusedOn()).toBe(true);
      });

      it("should take the steps of tfjs's Adam and keep the same state (moments, iterations)", async () => {
        const expected = await train(backend, () => tf.train.adam(0.05), 0);
        const actual = await train(backend, () => new FusedAdamOptimizer(0.05), 0);
        actual.variables.forEach((v, i) => expect(maxAbsDiff(v, expected.variables[i])).toBeLessThan(1e-5));
        expect(actual.state).toHaveLength(expected.state.length);
        actual.state.forEach((v, i) => expect(maxAbsDiff(v, expected.state[i])).toBeLessThan(1e-5));
      });

      it('should fold an L2 penalty on the named variables into the update as the penalty in the loss would', async () => {
        const expected = await train(backend, () => tf.train.adam(0.05), 0.3);
        // Every kernel_* variable (the one of this run among them) gets the penalty.
        const actual = await train(backend, () => new FusedAdamOptimizer(0.05, Object.keys(tf.engine().registeredVariables).filter((n) => n.startsWith('kernel_')), 0.3), 0);
        actual.variables.forEach((v, i) => expect(maxAbsDiff(v, expected.variables[i])).toBeLessThan(1e-5));
      });
    });
  }

  it('should fall back to tfjs ops (penalty included) on a backend without the kernel', async () => {
    await tf.setBackend('cpu');
    const kernel = tf.variable(tf.tensor1d([1, -4, 3]), true, 'fallback_kernel');
    const optimizer = new FusedAdamOptimizer(0.1, ['fallback_kernel'], 0.5);
    const config = tf.getKernel('ImdadAdamUpdate', 'cpu')!;
    tf.unregisterKernel('ImdadAdamUpdate', 'cpu');
    try {
      expect(FusedAdamOptimizer.fusedOn()).toBe(false);
      optimizer.minimize(() => tf.sum(kernel) as tf.Scalar);
      // Adam's first step moves every coordinate by the learning rate against the sign of its gradient 1 + 0.5 * x.
      expect(maxAbsDiff(kernel.dataSync(), [0.9, -3.9, 2.9])).toBeLessThan(1e-5);
    } finally {
      tf.registerKernel(config);
      optimizer.dispose();
      kernel.dispose();
    }
  });
});
