import { ContainerModule } from 'inversify';
import { createContainer, Detector, Encoder, tf, useBackend, type Dataset } from '@imdad/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { defaultHiddenUnits, MlpEncoder, type MlpOptions } from './mlp-encoder.js';

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

    describe('when compared with the same net built from tf.layers.dense and activation layers', () => {
      /** The architecture before the fused layer: dense (linear), activation, ..., dense. */
      function reference(width: number, options: MlpOptions, seed: number): tf.LayersModel {
        let layerSeed = seed;
        const model = tf.sequential();
        model.add(tf.layers.inputLayer({ inputShape: [width] }));
        const dense = (units: number) => tf.layers.dense({ units, useBias: options.bias, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }) });
        for (const units of options.hiddenUnits ?? defaultHiddenUnits(width)) {
          model.add(dense(units));
          model.add(options.activation === 'leaky-relu' ? tf.layers.leakyReLU({ alpha: 0.1 }) : tf.layers.activation({ activation: options.activation as 'relu' | 'tanh' }));
        }
        model.add(dense(options.embeddingDim));
        return model;
      }

      for (const backend of ['cpu', 'wasm'] as const) {
        for (const given of [{}, { bias: false }, { activation: 'relu' }, { activation: 'tanh' }]) {
          it(`should have the same weights in the same order and the same outputs and gradients on ${backend} (${JSON.stringify(given)})`, async () => {
            await useBackend(backend);
            try {
              const options = encoder.optionsSchema.parse({ hiddenUnits: [12, 6], embeddingDim: 4, ...given });
              const network = encoder.build([5], options, { seed: 3 });
              const expected = reference(5, options, 3);
              expect(network.weights.map((w) => w.shape)).toEqual(expected.weights.map((w) => w.shape));
              network.getWeights().forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(expected.getWeights()[i].dataSync())));
              const data = tinyDataset();
              const input = tf.tensor2d(data.x, [data.n, 5]);
              const run = (m: tf.LayersModel) =>
                tf.tidy(() => {
                  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
                  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
                  return [value, m.apply(input) as tf.Tensor, ...variables.map((v) => grads[v.name])].map((t) => Float32Array.from(t.dataSync()));
                });
              const actual = run(network);
              const wanted = run(expected);
              actual.forEach((values, i) => {
                const scale = Math.max(1, ...Array.from(wanted[i], Math.abs));
                values.forEach((v, k) => expect(Math.abs(v - wanted[i][k])).toBeLessThan(1e-5 * scale));
              });
              input.dispose();
              network.dispose();
              expected.dispose();
            } finally {
              await useBackend('cpu');
            }
          });
        }
      }
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
