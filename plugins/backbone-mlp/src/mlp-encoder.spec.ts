import { ContainerModule } from 'inversify';
import { createContainer, Detector, Encoder, tf, useBackend, type Dataset } from '@imdad/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultHiddenUnits, MlpEncoder } from './mlp-encoder.js';

const encoder = new MlpEncoder();

function tinyDataset(): Dataset {
  const n = 120;
  const x = Float32Array.from({ length: n * 5 }, (_, i) => Math.sin(i * 12.9898) * 0.5 + (Math.floor(i / 5) >= 110 ? 2 : 0));
  const y = Uint8Array.from({ length: n }, (_, i) => (i >= 115 ? 1 : 0));
  return { x, n, sampleShape: [5], y };
}

describe('MlpEncoder', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  describe('defaultHiddenUnits', () => {
    it('should size two layers from the input width, clamped to [64, 256]', () => {
      expect(defaultHiddenUnits(6)).toEqual([64, 32]);
      expect(defaultHiddenUnits(100)).toEqual([256, 128]);
      expect(defaultHiddenUnits(784)).toEqual([256, 128]);
    });
  });

  describe('.build', () => {
    describe('when given options', () => {
      it('should output [batch, embeddingDim] and honour hidden sizes and bias', () => {
        const options = encoder.optionsSchema.parse({ hiddenUnits: [16, 8], embeddingDim: 4, bias: false });
        const model = encoder.build([5], options, { seed: 1 });
        const out = tf.tidy(() => (model.predict(tf.zeros([3, 5])) as tf.Tensor).shape);
        expect(out).toEqual([3, 4]);
        expect(model.getWeights().map((w) => w.shape)).toEqual([[5, 16], [16, 8], [8, 4]]);
        model.dispose();
      });

      it('should build identical weights for the same seed and different ones for another', () => {
        const options = encoder.optionsSchema.parse({});
        const [a, b, c] = [1, 1, 2].map((seed) => encoder.build([5], options, { seed }));
        const first = (m: tf.LayersModel) => Array.from(m.getWeights()[0].dataSync());
        expect(first(a)).toEqual(first(b));
        expect(first(a)).not.toEqual(first(c));
        [a, b, c].forEach((m) => m.dispose());
      });
    });

    describe('when a bad option is given', () => {
      it('should be refused by the schema, naming the key', () => {
        expect(encoder.optionsSchema.safeParse({ activation: 'swish' }).success).toBe(false);
        expect(encoder.optionsSchema.safeParse({ hiddenUnit: [3] }).success).toBe(false);
      });
    });
  });

  describe('when trained through Detector with batch norm and dropout', () => {
    it('should train, and save/load reproduces the scores', async () => {
      const { container } = await createContainer();
      container.load(new ContainerModule(({ bind }) => { bind(Encoder).toConstantValue(encoder); }));
      const data = tinyDataset();
      const detector = await Detector.train(container, data, {
        backbone: 'mlp',
        backboneOptions: { batchNorm: true, dropout: 0.1, hiddenUnits: [16], embeddingDim: 4 },
        head: 'logistic',
        trainerOptions: { epochs: 3, batchSize: 32 },
      });
      const scores = detector.score(data.x, data.n).score;
      expect(scores.every(Number.isFinite)).toBe(true);
      const again = Detector.fromWeights(container, detector.manifest, detector.flatWeights());
      expect(Array.from(again.score(data.x, data.n).score)).toEqual(Array.from(scores));
      detector.dispose();
      again.dispose();
    });
  });
});
