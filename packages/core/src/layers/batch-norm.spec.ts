// Core's BatchNorm, as the cnn and resnet backbones use it: no affine terms, and gradients on the wasm backend.
import { BatchNorm, tf, useBackend } from '@imdad/core';
import { beforeAll, describe, expect, it } from 'vitest';

/** A model of one BatchNorm layer over `[batch, 2, 2, channels]` inputs. */
function normModel(center: boolean, scale: boolean, channels = 3): { model: tf.LayersModel; layer: BatchNorm } {
  const input = tf.input({ shape: [2, 2, channels] });
  const layer = new BatchNorm({ center, scale });
  return { model: tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor }), layer };
}

describe('BatchNorm', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  describe('.call', () => {
    describe('when training', () => {
      it('should normalise every channel over the batch and move the statistics 10% towards the batch', () => {
        const { model } = normModel(false, false);
        const x = tf.tidy(() => tf.add(tf.mul(tf.randomNormal([8, 2, 2, 3], 0, 1, 'float32', 4), 3), 5));
        const y = model.apply(x, { training: true }) as tf.Tensor;
        const { mean, variance } = tf.moments(y, [0, 1, 2]);
        for (const m of mean.dataSync()) expect(Math.abs(m)).toBeLessThan(1e-5);
        for (const v of variance.dataSync()) expect(v).toBeCloseTo(1, 3);
        const batch = tf.moments(x, [0, 1, 2]);
        const [movingMean, movingVariance] = model.getWeights().map((t) => Array.from(t.dataSync()));
        Array.from(batch.mean.dataSync()).forEach((m, i) => expect(movingMean[i]).toBeCloseTo(0.1 * m, 5));
        Array.from(batch.variance.dataSync()).forEach((v, i) => expect(movingVariance[i]).toBeCloseTo(0.9 + 0.1 * v, 4));
        tf.dispose([x, y, mean, variance, batch.mean, batch.variance]);
        model.dispose();
      });
    });

    describe('when not training', () => {
      it('should use the moving statistics', () => {
        const { model } = normModel(false, false, 1);
        model.setWeights([tf.tensor1d([2]), tf.tensor1d([4])]);
        const y = tf.tidy(() => (model.predict(tf.fill([1, 2, 2, 1], 6)) as tf.Tensor).dataSync());
        for (const v of y) expect(v).toBeCloseTo((6 - 2) / Math.sqrt(4 + 1e-4), 5);
        model.dispose();
      });
    });
  });

  describe('.build', () => {
    describe('when the affine terms are on or off', () => {
      it('should create gamma and beta only when asked, trainable, and the moving statistics not trainable', () => {
        for (const [center, scale, trainable] of [[false, false, []], [true, false, ['beta']], [true, true, ['gamma', 'beta']]] as const) {
          const { model, layer } = normModel(center, scale);
          expect(layer.trainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(trainable);
          expect(layer.nonTrainableWeights.map((w) => w.originalName.split('/').pop())).toEqual(['moving_mean', 'moving_variance']);
          model.dispose();
        }
      });
    });
  });

  describe('gradients', () => {
    describe('when a model with batch norm trains on the wasm backend', () => {
      it('should give finite gradients for the shift and the layer below', () => {
        const input = tf.input({ shape: [2, 2, 2] });
        const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) });
        const output = new BatchNorm({ center: true, scale: false }).apply(conv.apply(input) as tf.SymbolicTensor) as tf.SymbolicTensor;
        const model = tf.model({ inputs: input, outputs: output });
        const x = tf.randomUniform([6, 2, 2, 2], 0, 1, 'float32', 2);
        const { grads } = tf.variableGrads(() => tf.sum(tf.mul(model.apply(x, { training: true }) as tf.Tensor, tf.linspace(0, 1, 48).reshape([6, 2, 2, 2]))) as tf.Scalar,
          model.trainableWeights.map((w) => w.read() as tf.Variable));
        expect(Object.keys(grads)).toHaveLength(3);
        for (const g of Object.values(grads)) expect(Array.from(g.dataSync()).every(Number.isFinite)).toBe(true);
        tf.dispose([x, ...Object.values(grads)]);
        model.dispose();
      });
    });
  });
});
