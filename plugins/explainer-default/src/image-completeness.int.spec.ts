/**
 * Completeness on MNIST digits with a small CNN: integrated-gradients
 * attributions of a row sum to score(row) - score(reference).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import backboneCnn from '@imdad/backbone-cnn';
import { Detector, createContainer, tf, useBackend, type Dataset } from '@imdad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultExplainer, defaultExplainerOptionsSchema } from './default-explainer.js';

const MNIST = fileURLToPath(new URL('../../../../shared/data/mnist/', import.meta.url));
const SIDE = 28;
const IMAGES = 2000;

/** The first `count` digits of the MNIST test set (IDX files), pixels scaled to [0, 1]. */
function readMnist(count: number): { pixels: Float32Array; digits: Uint8Array } {
  const images = gunzipSync(readFileSync(`${MNIST}t10k-images-idx3-ubyte.gz`));
  const labels = gunzipSync(readFileSync(`${MNIST}t10k-labels-idx1-ubyte.gz`));
  if (images.readUInt32BE(0) !== 0x803 || labels.readUInt32BE(0) !== 0x801) throw new Error('not IDX image and label files');
  const pixels = Float32Array.from(images.subarray(16, 16 + count * SIDE * SIDE), (v) => v / 255);
  return { pixels, digits: Uint8Array.from(labels.subarray(8, 8 + count)) };
}

/** The digits at `rows` as a dataset of 28x28x1 images; `y` marks the rows of `anomalyDigit`. */
function digitsDataset(mnist: { pixels: Float32Array; digits: Uint8Array }, rows: number[], anomalyDigit: number): Dataset {
  const size = SIDE * SIDE;
  const x = new Float32Array(rows.length * size);
  rows.forEach((row, i) => x.set(mnist.pixels.subarray(row * size, (row + 1) * size), i * size));
  return { x, n: rows.length, sampleShape: [SIDE, SIDE, 1], y: Uint8Array.from(rows, (row) => (mnist.digits[row] === anomalyDigit ? 1 : 0)) };
}

describe('DefaultExplainer (completeness, MNIST, CNN backbone)', () => {
  let detector: Detector;
  let test: Dataset;
  const explainer = new DefaultExplainer();

  beforeAll(async () => {
    await useBackend('wasm');
    const { container } = await createContainer();
    container.load(backboneCnn);
    const mnist = readMnist(IMAGES);
    const all = Array.from(mnist.digits.keys());
    // Normal class 0 (unlabeled) and 40 labeled 1s for training; the rest, every digit, for the test.
    const zeros = all.filter((i) => mnist.digits[i] === 0);
    const ones = all.filter((i) => mnist.digits[i] === 1);
    const trainZeros = zeros.slice(0, 150);
    const trainOnes = ones.slice(0, 40);
    const train = digitsDataset(mnist, [...trainZeros, ...trainOnes], 1);
    detector = await Detector.train(container, train, {
      backbone: 'cnn',
      head: 'logistic',
      trainerOptions: { epochs: 8, batchSize: 64, learningRate: 0.003 },
      seed: 0,
    });
    const used = new Set([...trainZeros, ...trainOnes]);
    const rest = all.filter((i) => !used.has(i));
    const testRows = Array.from({ length: 10 }, (_, digit) => rest.filter((i) => mnist.digits[i] === digit).slice(0, 2)).flat();
    test = digitsDataset(mnist, testRows, 1);
  });

  afterAll(() => detector?.dispose());

  describe('.explain', () => {
    describe('when the method is integrated gradients from the stored reference', () => {
      it('should give attributions that sum to score(row) - score(reference) within 5%', async () => {
        const before = tf.memory().numTensors;
        const indices = Array.from({ length: test.n }, (_, i) => i);
        const explanation = await explainer.explain(detector, { data: test, indices }, defaultExplainerOptionsSchema.parse({}));
        expect(tf.memory().numTensors).toBe(before);
        expect(explanation.baseline?.kind).toBe('reference');
        const referenceScore = detector.score(detector.reference!, 1).score[0];
        const scores = detector.score(test.x, test.n).score;
        const errors = explanation.rows.map((row, i) => {
          const delta = scores[i] - referenceScore;
          const sum = row.attributions.reduce((a, b) => a + b, 0);
          expect(row.attributions).toHaveLength(SIDE * SIDE);
          return Math.abs(sum - delta) / Math.abs(delta);
        });
        const worst = Math.max(...errors);
        expect(worst, `largest completeness error ${(100 * worst).toFixed(2)}%`).toBeLessThanOrEqual(0.05);
      });
    });
  });
});
