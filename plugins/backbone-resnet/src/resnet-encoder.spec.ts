import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Detector, Encoder, auroc, createContainer, tf, useBackend, type Dataset } from '@imdad/core';
import { loadModel, saveModel } from '@imdad/core/node';
import { Container } from 'inversify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import backboneResnetModule from './backbone-resnet-module.js';
import plugin, { manifest } from './index.js';
import { ResnetEncoder, resnetOptionsSchema, type ResnetOptions } from './resnet-encoder.js';

/** Tiny images: normals carry a bright square top-left, anomalies bottom-right; `labeled` anomalies have y = 1. */
function squares(options: { normals: number; anomalies: number; labeled: number; size?: number; seed?: number }): Dataset & { truth: Uint8Array } {
  const { normals, anomalies, labeled, size = 12 } = options;
  let state = options.seed ?? 1;
  const noise = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648) * 0.2;
  const n = normals + anomalies;
  const x = new Float32Array(n * size * size);
  const truth = Uint8Array.from({ length: n }, (_, i) => (i >= normals ? 1 : 0));
  const y = Uint8Array.from({ length: n }, (_, i) => (i >= normals && i - normals < labeled ? 1 : 0));
  for (let i = 0; i < n; i++) {
    const offset = truth[i] ? size - 5 : 1;
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const inSquare = r >= offset && r < offset + 4 && c >= offset && c < offset + 4;
        x[(i * size + r) * size + c] = (inSquare ? 0.8 : 0) + noise();
      }
    }
  }
  return { x, n, sampleShape: [size, size, 1], y, truth };
}

const options = (given: Partial<ResnetOptions> = {}): ResnetOptions => resnetOptionsSchema.parse(given);
const kernelShapes = (network: tf.LayersModel): number[][] =>
  network.weights.filter((w) => w.originalName.endsWith('/kernel')).map((w) => w.shape as number[]);

describe('ResnetEncoder', () => {
  const encoder = new ResnetEncoder();
  beforeAll(async () => {
    await useBackend('wasm');
  });

  describe('.build', () => {
    describe('when given 28x28x1 digits with the defaults', () => {
      it('should build a stem, two stages of one residual block (the second with a stride-2 1x1 projection) and a 32-d embedding', () => {
        const network = encoder.build([28, 28, 1], options(), { seed: 0 });
        expect(network.outputs[0].shape).toEqual([null, 32]);
        expect(kernelShapes(network)).toEqual([
          [3, 3, 1, 16],
          [3, 3, 16, 16],
          [3, 3, 16, 16],
          [3, 3, 16, 32],
          [3, 3, 32, 32],
          [1, 1, 16, 32],
          [32, 32],
        ]);
        const projection = network.getLayer('stage2_block1_proj') as unknown as { getConfig(): { strides: number[] } };
        expect(projection.getConfig().strides).toEqual([2, 2]);
        expect(network.weights.some((w) => /\/(bias|beta|gamma)$/.test(w.originalName))).toBe(false);
        network.dispose();
      });
    });

    describe('when asked for the ResNet-18-like [2, 2, 2, 2] on 32x32x3', () => {
      it('should have 4 stages of 2 blocks, widths 16 to 128, and 3 projection shortcuts', () => {
        const network = encoder.build([32, 32, 3], options({ blocksPerStage: [2, 2, 2, 2] }), { seed: 0 });
        const kernels = kernelShapes(network);
        expect(kernels.filter((k) => k[0] === 3)).toHaveLength(1 + 4 * 2 * 2);
        expect(kernels.filter((k) => k[0] === 1).map((k) => k[3])).toEqual([32, 64, 128]);
        expect(network.outputs[0].shape).toEqual([null, 32]);
        network.dispose();
      });
    });

    describe('when given images of other sizes', () => {
      it('should map a batch to [batch, embeddingDim] embeddings', () => {
        for (const shape of [[12, 12, 1], [32, 32, 3], [9, 13, 2]]) {
          const network = encoder.build(shape, options({ width: 4, embeddingDim: 5, blocksPerStage: [1, 1, 1] }), { seed: 1 });
          const phi = tf.tidy(() => network.predict(tf.ones([2, ...shape])) as tf.Tensor);
          expect(phi.shape).toEqual([2, 5]);
          phi.dispose();
          network.dispose();
        }
      });
    });

    describe('when bias is on', () => {
      it('should give batch norm its affine terms and the last layer a bias', () => {
        const network = encoder.build([12, 12, 1], options({ bias: true }), { seed: 0 });
        const names = network.trainableWeights.map((w) => w.originalName.split('/').pop());
        expect(names.filter((n) => n === 'gamma')).toHaveLength(6);
        expect(names.filter((n) => n === 'beta')).toHaveLength(6);
        expect(names.filter((n) => n === 'bias')).toHaveLength(1);
        network.dispose();
      });
    });

    describe('when built twice with the same options and seed', () => {
      it('should give the same architecture, weight order and weights; another seed other weights', () => {
        const build = (seed: number) => {
          const network = encoder.build([12, 12, 1], options({ width: 4 }), { seed });
          const result = { names: network.weights.map((w) => w.originalName), values: network.getWeights().flatMap((t) => Array.from(t.dataSync())) };
          network.dispose();
          return result;
        };
        expect(build(2)).toEqual(build(2));
        // Seed 0 (the default) too: tfjs's heNormal reads a seed of 0 as "none".
        expect(build(0)).toEqual(build(0));
        expect(build(2).values).not.toEqual(build(3).values);
      });
    });

    describe('when the input is not an image', () => {
      it('should fail with a one-line error that names the shape', () => {
        expect(() => encoder.build([20], options(), { seed: 0 })).toThrow(/needs images \[height, width, channels\], got samples of shape \[20\]/);
      });
    });
  });

  describe('training through Detector', () => {
    const dirs: string[] = [];
    afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

    describe('when trained for a few epochs on the wasm backend', () => {
      it('should separate the anomalies, leak no tensors, and score identically after saveModel and loadModel', async () => {
        const { container } = await createContainer();
        container.load(backboneResnetModule);
        const train = squares({ normals: 64, anomalies: 8, labeled: 8, seed: 2 });
        const test = squares({ normals: 30, anomalies: 15, labeled: 0, seed: 3 });
        const spec = {
          backbone: 'resnet',
          backboneOptions: { width: 4, embeddingDim: 8 },
          head: 'logistic',
          trainerOptions: { epochs: 4, batchSize: 32, learningRate: 0.01 },
          seed: 5,
        };
        const before = tf.memory().numTensors;
        const detector = await Detector.train(container, train, spec);
        const scores = detector.score(test.x, test.n).score;
        expect(auroc(scores, test.truth)).toBeGreaterThan(0.9);
        const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'imdad-resnet-')), 'model');
        dirs.push(path.dirname(dir));
        await saveModel(detector, dir);
        detector.dispose();
        expect(tf.memory().numTensors).toBe(before);
        const loaded = await loadModel(container, dir);
        expect(Array.from(loaded.score(test.x, test.n).score)).toEqual(Array.from(scores));
        expect(loaded.manifest.encoder.name).toBe('resnet');
        loaded.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  });
});

describe('backbone-resnet module', () => {
  describe('when loaded into a container', () => {
    it('should bind the resnet encoder once, as a singleton, and the manifest should say so', () => {
      const container = new Container();
      container.load(backboneResnetModule);
      const encoders = container.getAll<Encoder>(Encoder);
      expect(encoders.map((e) => e.name)).toEqual(['resnet']);
      expect(encoders[0]).toBe(container.get(ResnetEncoder));
      expect(plugin).toBe(backboneResnetModule);
      expect(manifest).toMatchObject({ name: 'backbone-resnet', kind: 'encoder', provides: ['resnet'] });
    });
  });
});
