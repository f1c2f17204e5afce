/**
 * Faithfulness on tabular rows: anomalies differ from normals in one known
 * feature only, so a faithful attribution ranks that feature first.
 */
import backboneMlp from '@imdad/backbone-mlp';
import { Detector, SeededRandom, createContainer, tf, useBackend, type Dataset } from '@imdad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DefaultExplainer, defaultExplainerOptionsSchema, type DefaultExplainerOptions } from './default-explainer.js';

const WIDTH = 6;
const SHIFTED_FEATURE = 3;

/** Normals ~ N(0.5, 0.1) in every feature; anomalies the same but shifted by +-0.6 in feature 3. */
function rows(options: { normals: number; anomalies: number; labeled: number; seed: number }): Dataset & { truth: Uint8Array } {
  const random = new SeededRandom(options.seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const n = options.normals + options.anomalies;
  const x = new Float32Array(n * WIDTH);
  const y = new Uint8Array(n);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const anomaly = i >= options.normals;
    const shift = anomaly ? (random.next() < 0.5 ? -0.6 : 0.6) : 0;
    for (let j = 0; j < WIDTH; j++) x[i * WIDTH + j] = 0.5 + 0.1 * gauss() + (j === SHIFTED_FEATURE ? shift : 0);
    truth[i] = anomaly ? 1 : 0;
    y[i] = anomaly && i - options.normals < options.labeled ? 1 : 0;
  }
  return { x, n, sampleShape: [WIDTH], y, truth, featureNames: ['a', 'b', 'c', 'd', 'e', 'f'] };
}

/** Share of rows whose largest |attribution| falls on the shifted feature. */
function hitRate(attributions: readonly (readonly number[])[]): number {
  const hits = attributions.filter((a) => a.reduce((best, v, j) => (Math.abs(v) > Math.abs(a[best]) ? j : best), 0) === SHIFTED_FEATURE);
  return hits.length / attributions.length;
}

describe('DefaultExplainer (faithfulness, tabular)', () => {
  let detector: Detector;
  let test: Dataset & { truth: Uint8Array };
  let anomalies: number[];
  const explainer = new DefaultExplainer();
  const options = (overrides: Partial<DefaultExplainerOptions>): DefaultExplainerOptions => defaultExplainerOptionsSchema.parse(overrides);

  beforeAll(async () => {
    await useBackend('wasm');
    const { container } = await createContainer();
    container.load(backboneMlp);
    // 40 of the 60 training anomalies stay unlabeled, hidden among the normals.
    const train = rows({ normals: 1000, anomalies: 60, labeled: 20, seed: 1 });
    detector = await Detector.train(container, train, {
      backbone: 'mlp',
      backboneOptions: { embeddingDim: 16 },
      head: 'logistic',
      trainerOptions: { epochs: 15, batchSize: 128, learningRate: 0.003 },
      seed: 0,
    });
    test = rows({ normals: 200, anomalies: 60, labeled: 0, seed: 2 });
    anomalies = Array.from(test.truth.keys()).filter((i) => test.truth[i] === 1);
  });

  afterAll(() => detector?.dispose());

  describe('.explain', () => {
    describe('when anomalies differ from normals only in feature 3', () => {
      it('should rank feature 3 first for at least 90% of the test anomalies with integrated gradients', async () => {
        const explanation = await explainer.explain(detector, { data: test, indices: anomalies }, options({}));
        const rate = hitRate(explanation.rows.map((r) => r.attributions));
        expect(rate, `integrated gradients ranked feature 3 first for ${(100 * rate).toFixed(1)}% of ${anomalies.length} anomalies`).toBeGreaterThanOrEqual(0.9);
      });

      it('should leave no tensor behind', async () => {
        const before = tf.memory().numTensors;
        await explainer.explain(detector, { data: test, indices: anomalies.slice(0, 5) }, options({ method: 'gradient-x-input' }));
        expect(tf.memory().numTensors).toBe(before);
      });
    });
  });
});
