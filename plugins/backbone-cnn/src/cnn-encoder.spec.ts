import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BatchNorm, Detector, Encoder, ImdadError, auroc, createContainer, tf, useBackend, type Dataset } from '@imdad/core';
import { loadModel, saveModel } from '@imdad/core/node';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import backboneCnnModule from './backbone-cnn-module.js';
import { CnnEncoder, cnnOptionsSchema, type CnnOptions } from './cnn-encoder.js';
import plugin, { manifest } from './index.js';

/**
 * Tiny `size x size x channels` images: normals carry a bright square in the
 * top-left corner, anomalies in the bottom-right one; `labeled` anomalies have y = 1.
 */
function squares(options: { normals: number; anomalies: number; labeled: number; size?: number; channels?: number; seed?: number }): Dataset & { truth: Uint8Array } {
  const { normals, anomalies, labeled, size = 12, channels = 1 } = options;
  let state = options.seed ?? 1;
  const noise = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 0.2;
  const n = normals + anomalies;
  const x = new Float32Array(n * size * size * channels);
  const y = new Uint8Array(n);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const anomaly = i >= normals;
    truth[i] = anomaly ? 1 : 0;
    y[i] = anomaly && i - normals < labeled ? 1 : 0;
    const offset = anomaly ? size - 5 : 1;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const inSquare = r >= offset && r < offset + 4 && c >= offset && c < offset + 4;
        for (let k = 0; k < channels; k++) x[((i * size + r) * size + c) * channels + k] = (inSquare ? 0.8 : 0) + noise();
      }
    }
  }
  return { x, n, sampleShape: [size, size, channels], y, truth };
}

const options = (given: Partial<CnnOptions> = {}): CnnOptions => cnnOptionsSchema.parse(given);

describe('CnnEncoder', () => {
  const encoder = new CnnEncoder();
  beforeAll(async () => {
    await useBackend('wasm');
  });

  describe('.build', () => {
    describe('when given 28x28x1 digits with the defaults', () => {
      it("should build Ruff's MNIST LeNet: two bias-free conv blocks of 8 and 4 filters, then a 32-d embedding", () => {
        const network = encoder.build([28, 28, 1], options(), { seed: 0 });
        expect(network.outputs[0].shape).toEqual([null, 32]);
        const kernels = network.weights.filter((w) => w.originalName.endsWith('/kernel')).map((w) => w.shape);
        expect(kernels).toEqual([[5, 5, 1, 8], [5, 5, 8, 4], [4 * 7 * 7, 32]]);
        expect(network.weights.some((w) => /\/(bias|beta|gamma)$/.test(w.originalName))).toBe(false);
        network.dispose();
      });
    });

    describe('when given 32x32x3 colour images with the defaults', () => {
      it("should build Ruff's CIFAR-10 LeNet: three blocks of 32, 64 and 128 filters", () => {
        const network = encoder.build([32, 32, 3], options(), { seed: 0 });
        const kernels = network.weights.filter((w) => w.originalName.endsWith('/kernel')).map((w) => w.shape);
        expect(kernels).toEqual([[5, 5, 3, 32], [5, 5, 32, 64], [5, 5, 64, 128], [128 * 4 * 4, 32]]);
        network.dispose();
      });
    });

    describe('when given any image of at least 8x8', () => {
      it('should map a batch to [batch, embeddingDim] embeddings', () => {
        for (const shape of [[8, 8, 1], [12, 12, 1], [9, 15, 3], [12, 12, 2]]) {
          const network = encoder.build(shape, options({ embeddingDim: 6, kernelSize: 3, filters: [3, 5] }), { seed: 1 });
          const phi = tf.tidy(() => network.predict(tf.ones([4, ...shape])) as tf.Tensor);
          expect(phi.shape).toEqual([4, 6]);
          phi.dispose();
          network.dispose();
        }
      });
    });

    describe('when options switch bias on and batch norm off', () => {
      it('should give the conv layers and the last layer a bias and leave out batch norm', () => {
        const network = encoder.build([12, 12, 1], options({ bias: true, batchNorm: false }), { seed: 0 });
        expect(network.weights.filter((w) => w.originalName.endsWith('/bias'))).toHaveLength(3);
        expect(network.weights.some((w) => w.originalName.includes('moving_mean'))).toBe(false);
        network.dispose();
      });
    });

    describe('when the same seed is used twice', () => {
      it('should give the same weights, and another seed other weights', () => {
        const values = (seed: number): number[] => {
          const network = encoder.build([12, 12, 1], options(), { seed });
          const flat = network.getWeights().flatMap((t) => Array.from(t.dataSync()));
          network.dispose();
          return flat;
        };
        expect(values(3)).toEqual(values(3));
        expect(values(3)).not.toEqual(values(4));
      });
    });

    describe('when the input is not an image, too small, or too small for the blocks', () => {
      it('should fail with a one-line error that names the shape', () => {
        expect(() => encoder.build([20], options(), { seed: 0 })).toThrow(/needs images \[height, width, channels\].*got samples of shape \[20\]/);
        expect(() => encoder.build([7, 12, 1], options(), { seed: 0 })).toThrow(/at least 8x8/);
        const error = (() => {
          try {
            encoder.build([12, 12, 1], options({ filters: [2, 2, 2, 2] }), { seed: 0 });
          } catch (e) {
            return e;
          }
        })();
        expect(ImdadError.is(error, 'config')).toBe(true);
        expect((error as Error).message).toMatch(/use at most 3 blocks/);
      });
    });

    describe('when compared with the same net built from tfjs layers and core BatchNorm', () => {
      /** The architecture before the fused layers: conv2d, BatchNorm, leakyReLU, max pool; dense. */
      function reference(shape: number[], given: CnnOptions, seed: number): tf.LayersModel {
        let layerSeed = seed;
        const model = tf.sequential();
        model.add(tf.layers.inputLayer({ inputShape: shape }));
        for (const count of given.filters ?? [8, 4]) {
          model.add(tf.layers.conv2d({ filters: count, kernelSize: given.kernelSize, padding: 'same', useBias: given.bias && !given.batchNorm, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }) }));
          if (given.batchNorm) model.add(new BatchNorm({ center: given.bias, scale: false }));
          model.add(tf.layers.leakyReLU({ alpha: 0.1 }));
          model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
        }
        model.add(tf.layers.flatten());
        model.add(tf.layers.dense({ units: given.embeddingDim, useBias: given.bias, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }) }));
        return model;
      }

      for (const backend of ['wasm', 'cpu'] as const) {
        for (const given of [options({ filters: [4, 3], kernelSize: 3, embeddingDim: 6 }), options({ filters: [4, 3], kernelSize: 3, embeddingDim: 6, bias: true }), options({ filters: [4, 3], kernelSize: 3, embeddingDim: 6, batchNorm: false, bias: true })]) {
          it(`should have the same weights in the same order and the same outputs and gradients on ${backend} (bias ${given.bias}, batch norm ${given.batchNorm})`, async () => {
            await useBackend(backend);
            try {
              const network = encoder.build([12, 12, 1], given, { seed: 4 });
              const expected = reference([12, 12, 1], given, 4);
              const shapes = (m: tf.LayersModel) => m.weights.map((w) => w.shape);
              expect(shapes(network)).toEqual(shapes(expected));
              network.getWeights().forEach((t, i) => expect(Array.from(t.dataSync())).toEqual(Array.from(expected.getWeights()[i].dataSync())));
              const x = squares({ normals: 6, anomalies: 2, labeled: 0 });
              const input = tf.tensor4d(x.x, [x.n, 12, 12, 1]);
              const run = (m: tf.LayersModel) =>
                tf.tidy(() => {
                  const variables = m.trainableWeights.map((w) => w.read() as tf.Variable);
                  const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(m.apply(input, { training: true }) as tf.Tensor)) as tf.Scalar, variables);
                  const inference = m.apply(input, { training: false }) as tf.Tensor;
                  // Explanations differentiate the inference-mode net with respect to its input.
                  const inputGradient = tf.grad((t: tf.Tensor) => tf.sum(tf.square(m.apply(t, { training: false }) as tf.Tensor)))(input);
                  return [value, inference, inputGradient, ...variables.map((v) => grads[v.name]), ...m.getWeights()].map((t) => Float32Array.from(t.dataSync()));
                });
              const actual = run(network);
              const wanted = run(expected);
              actual.forEach((values, i) => {
                const scale = Math.max(1, ...Array.from(wanted[i], Math.abs));
                values.forEach((v, k) => expect(Math.abs(v - wanted[i][k])).toBeLessThan(1e-4 * scale));
              });
              input.dispose();
              network.dispose();
              expected.dispose();
            } finally {
              await useBackend('wasm');
            }
          });
        }
      }
    });

    describe('when options are invalid', () => {
      it('should be refused by the schema, naming the key', () => {
        expect(cnnOptionsSchema.safeParse({ kernelSize: 0 }).success).toBe(false);
        expect(cnnOptionsSchema.safeParse({ filters: [] }).success).toBe(false);
        expect(cnnOptionsSchema.safeParse({ width: 3 }).success).toBe(false);
      });
    });
  });

  describe('training through Detector', () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    async function container() {
      const { container } = await createContainer();
      container.load(backboneCnnModule);
      return container;
    }

    describe('when trained for a few epochs on the wasm backend', () => {
      it('should separate the anomalies, leak no tensors, train the same model twice, and score identically after saveModel and loadModel', async () => {
        const imdad = await container();
        const train = squares({ normals: 96, anomalies: 8, labeled: 8, seed: 2 });
        const test = squares({ normals: 40, anomalies: 20, labeled: 0, seed: 3 });
        const before = tf.memory().numTensors;
        const spec = {
          backbone: 'cnn',
          backboneOptions: { filters: [4, 4], kernelSize: 3, embeddingDim: 8 },
          head: 'logistic',
          trainerOptions: { epochs: 4, batchSize: 32, learningRate: 0.01 },
          seed: 5,
        };
        const first = await Detector.train(imdad, train, spec);
        const firstScores = first.score(test.x, test.n).score;
        first.dispose();
        expect(tf.memory().numTensors).toBe(before);

        const detector = await Detector.train(imdad, train, spec);
        const scores = detector.score(test.x, test.n).score;
        expect(Array.from(scores)).toEqual(Array.from(firstScores));
        expect(auroc(scores, test.truth)).toBeGreaterThan(0.9);
        const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'imdad-cnn-')), 'model');
        dirs.push(path.dirname(dir));
        await saveModel(detector, dir);
        const loaded = await loadModel(imdad, dir);
        expect(Array.from(loaded.score(test.x, test.n).score)).toEqual(Array.from(scores));
        expect(loaded.manifest.encoder).toEqual({ name: 'cnn', options: { filters: [4, 4], kernelSize: 3, embeddingDim: 8, bias: false, batchNorm: true } });
        detector.dispose();
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  });
});

describe('backbone-cnn module', () => {
  describe('when loaded into a container', () => {
    it('should bind the cnn encoder once, as a singleton, and the manifest should say so', () => {
      const container = new Container();
      container.load(backboneCnnModule);
      const encoders = container.getAll<Encoder>(Encoder);
      expect(encoders.map((e) => e.name)).toEqual(['cnn']);
      expect(encoders[0]).toBe(container.get(CnnEncoder));
      expect(plugin).toBe(backboneCnnModule);
      expect(manifest).toMatchObject({ name: 'backbone-cnn', kind: 'encoder', provides: ['cnn'] });
    });
  });
});
