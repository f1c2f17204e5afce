import { Explainer, ImdadError, LogisticHead, sampleSize, tf, useBackend, type Dataset, type ExplainableModel } from '@imdad/core';
import { Container } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { DefaultExplainer, defaultExplainerOptionsSchema, type DefaultExplainerOptions } from './default-explainer.js';
import explainerModule from './explainer-default-module.js';
import plugin, { manifest } from './index.js';

const CENTER = [0.1, -0.2, 0.3];

/** A small smooth model (tanh) with a hand-set sphere; its preprocessing halves every value. */
function tinyModel(inputShape: number[], options: { radiusSquared?: number; reference?: boolean } = {}): ExplainableModel & { dispose(): void } {
  const width = sampleSize(inputShape);
  const network = tf.sequential({
    layers: [
      ...(inputShape.length > 1 ? [tf.layers.flatten({ inputShape })] : []),
      tf.layers.dense({ ...(inputShape.length > 1 ? {} : { inputShape }), units: 8, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const headPlugin = new LogisticHead();
  const head = headPlugin.create(3, headPlugin.optionsSchema.parse({}));
  const radiusSquared = options.radiusSquared ?? 0.05;
  head.setWeights({ w: Float32Array.from(CENTER, (c) => -2 * c), b: CENTER.reduce((s, c) => s + c * c, 0) - radiusSquared });
  return {
    network,
    head,
    inputShape,
    preprocess: (x) => x.map((v) => v / 2),
    reference: options.reference === false ? undefined : Float32Array.from({ length: width }, (_, i) => 0.1 * Math.sin(i)),
    manifest: { encoder: { name: 'tiny', options: {} }, head: { name: 'logistic', options: {} }, featureNames: inputShape.length === 1 ? ['alpha', 'beta', 'gamma', 'delta'] : undefined },
    dispose() {
      network.dispose();
      head.dispose();
    },
  };
}

function dataset(n: number, sampleShape: number[], labels = true): Dataset {
  const width = sampleSize(sampleShape);
  const x = Float32Array.from({ length: n * width }, (_, i) => Math.cos(i * 1.7) + (i % 5) * 0.3);
  return { x, n, sampleShape, y: labels ? Uint8Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)) : undefined, source: '/data/rows.csv' };
}

/** The score of one preprocessed row, straight from the network and head. */
function scoreOf(model: ExplainableModel, prepared: Float32Array): number {
  return tf.tidy(() => model.head.score(model.network.apply(tf.tensor(prepared, [1, ...model.inputShape])) as tf.Tensor2D).dataSync()[0]);
}

const explainer = new DefaultExplainer();
const options = (overrides: Partial<DefaultExplainerOptions> = {}): DefaultExplainerOptions => defaultExplainerOptionsSchema.parse(overrides);

describe('DefaultExplainer', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  describe('.explain', () => {
    describe('when explaining tabular rows', () => {
      it('should read the sphere from the weights and decompose each score over the embedding dimensions', async () => {
        const model = tinyModel([4]);
        const data = dataset(12, [4]);
        const result = await explainer.explain(model, { data, indices: [0, 3, 5] }, options());
        expect(result.sphere.center.map((c) => Number(c.toFixed(6)))).toEqual(CENTER);
        expect(result.sphere.radiusSquared).toBeCloseTo(0.05, 5);
        expect(result.sphere.radius).toBeCloseTo(Math.sqrt(0.05), 5);
        expect(result.sphere.empty).toBe(false);
        expect(result.rows.map((r) => r.index)).toEqual([0, 3, 5]);
        for (const row of result.rows) {
          const prepared = model.preprocess(data.x.slice(row.index * 4, row.index * 4 + 4));
          expect(row.score).toBeCloseTo(scoreOf(model, prepared), 5);
          expect(row.dimensions).toHaveLength(3);
          expect(row.dimensions.reduce((a, b) => a + b, 0)).toBeCloseTo(row.score + result.sphere.radiusSquared, 5);
          expect(row.distanceSquared).toBeCloseTo(row.score + result.sphere.radiusSquared, 5);
          expect(row.margin).toBeCloseTo(result.sphere.radius - Math.sqrt(row.distanceSquared), 6);
          expect(row.label).toBe(data.y![row.index]);
        }
        model.dispose();
      });
    });

    describe('when the method is gradient or gradient-x-input', () => {
      it('should give ds/dx in the preprocessed space (checked by finite differences), times x for the latter', async () => {
        const model = tinyModel([4]);
        const data = dataset(6, [4]);
        const gradient = await explainer.explain(model, { data, indices: [1, 2] }, options({ method: 'gradient' }));
        const timesInput = await explainer.explain(model, { data, indices: [1, 2] }, options({ method: 'gradient-x-input' }));
        expect(gradient.baseline).toBeUndefined();
        expect(gradient.rows[0].completenessError).toBeUndefined();
        gradient.rows.forEach((row, r) => {
          const prepared = model.preprocess(data.x.slice(row.index * 4, row.index * 4 + 4));
          for (let j = 0; j < 4; j++) {
            const h = 1e-2;
            const up = Float32Array.from(prepared);
            const down = Float32Array.from(prepared);
            up[j] += h;
            down[j] -= h;
            expect(row.attributions[j]).toBeCloseTo((scoreOf(model, up) - scoreOf(model, down)) / (2 * h), 3);
            expect(timesInput.rows[r].attributions[j]).toBeCloseTo(row.attributions[j] * prepared[j], 6);
          }
        });
        model.dispose();
      });
    });

    describe('when the method is integrated-gradients (the default)', () => {
      it('should start from the reference row and sum to score(row) - score(reference)', async () => {
        const model = tinyModel([4]);
        const data = dataset(10, [4]);
        const result = await explainer.explain(model, { data, indices: [0, 1, 2, 3] }, options());
        expect(result.method).toBe('integrated-gradients');
        expect(result.options).toMatchObject({ steps: 64, baseline: 'reference' });
        expect(result.baseline?.kind).toBe('reference');
        expect(result.baseline?.score).toBeCloseTo(scoreOf(model, model.reference!), 5);
        for (const row of result.rows) {
          const sum = row.attributions.reduce((a, b) => a + b, 0);
          const delta = row.score - result.baseline!.score;
          expect(Math.abs(sum - delta)).toBeLessThan(0.01 * Math.abs(delta) + 1e-5);
          expect(row.completenessError).toBeCloseTo(sum - delta, 5);
        }
        model.dispose();
      });

      it('should start from zeros when the model stores no reference row', async () => {
        const model = tinyModel([4], { reference: false });
        const result = await explainer.explain(model, { data: dataset(4, [4]), indices: [2] }, options());
        expect(result.baseline?.kind).toBe('zeros');
        expect(result.baseline?.score).toBeCloseTo(scoreOf(model, new Float32Array(4)), 5);
        model.dispose();
      });
    });

    describe('when normal rows are given', () => {
      it('should report the nearest of them in the embedding, nearest first, never the row itself', async () => {
        const model = tinyModel([4]);
        const data = dataset(20, [4]);
        const normalRows = [1, 2, 3, 5, 6, 7, 9];
        const result = await explainer.explain(model, { data, indices: [2, 0], normalRows }, options({ nearest: 2 }));
        for (const row of result.rows) {
          expect(row.nearestNormals).toHaveLength(2);
          expect(row.nearestNormals!.map((n) => n.index)).not.toContain(row.index);
          for (const near of row.nearestNormals!) expect(normalRows).toContain(near.index);
          expect(row.nearestNormals![0].distance).toBeLessThanOrEqual(row.nearestNormals![1].distance);
        }
        model.dispose();
      });
    });

    describe('when the sphere is empty', () => {
      it('should flag it and report R = 0, never hide it', async () => {
        const model = tinyModel([4], { radiusSquared: -0.5 });
        const request = { data: dataset(5, [4]), indices: [0] };
        const result = await explainer.explain(model, request, options());
        expect(result.sphere).toMatchObject({ empty: true, radius: 0 });
        expect(result.sphere.radiusSquared).toBeCloseTo(-0.5, 5);
        expect(result.rows[0].margin).toBeCloseTo(-Math.sqrt(result.rows[0].distanceSquared), 6);
        const html = (await explainer.report(model, request, result)).files.get('index.html') as string;
        expect(html).toContain('The sphere is empty');
        model.dispose();
      });
    });

    describe('when a row does not exist or the data does not fit the model', () => {
      it('should fail with a one-line usage or input error', async () => {
        const model = tinyModel([4]);
        const data = dataset(5, [4]);
        await expect(explainer.explain(model, { data, indices: [5] }, options())).rejects.toSatisfy((e) => ImdadError.is(e, 'usage') && /row 5 does not exist: .*5 rows/.test((e as Error).message));
        await expect(explainer.explain(model, { data, indices: [1.5] }, options())).rejects.toSatisfy((e) => ImdadError.is(e, 'usage'));
        await expect(explainer.explain(model, { data, indices: [] }, options())).rejects.toSatisfy((e) => ImdadError.is(e, 'usage'));
        await expect(explainer.explain(model, { data: dataset(5, [3]), indices: [0] }, options())).rejects.toSatisfy((e) => ImdadError.is(e, 'input'));
        model.dispose();
      });
    });

    describe('when run for every method, then reported', () => {
      it('should leave no tensor behind', async () => {
        const model = tinyModel([4]);
        const request = { data: dataset(30, [4]), indices: [0, 1, 2], normalRows: [3, 4, 5, 6] };
        await explainer.explain(model, request, options({ method: 'gradient' }));
        const before = tf.memory().numTensors;
        for (const method of ['integrated-gradients', 'gradient', 'gradient-x-input'] as const) {
          const explanation = await explainer.explain(model, request, options({ method }));
          await explainer.report(model, request, explanation);
        }
        expect(tf.memory().numTensors).toBe(before);
        model.dispose();
      });
    });
  });

  describe('.report', () => {
    describe('when the rows are tabular', () => {
      it('should write one self-contained page: inline SVG charts with the feature names, no URL, no script', async () => {
        const model = tinyModel([4]);
        const request = { data: dataset(40, [4]), indices: [0, 1] };
        const { files } = await explainer.report(model, request, await explainer.explain(model, request, options()));
        expect([...files.keys()]).toEqual(['index.html']);
        const html = files.get('index.html') as string;
        expect(html).toMatch(/^<!doctype html>/);
        expect(html.match(/<svg/g)?.length).toBe(2 + 2 * 2);
        expect(html).toContain('alpha');
        expect(html).toContain('id="row-1"');
        expect(html).toContain("sphere's cross-section");
        expect(html).not.toMatch(/https?:|<script|<link|@import|url\(/i);
        model.dispose();
      });
    });

    describe('when the rows are images', () => {
      it('should draw each image beside its attribution heatmap, and the reference row, as PNG data URIs', async () => {
        const model = tinyModel([6, 6, 1]);
        const request = { data: dataset(10, [6, 6, 1], false), indices: [3] };
        const html = (await explainer.report(model, request, await explainer.explain(model, request, options()))).files.get('index.html') as string;
        expect(html.match(/<img src="data:image\/png;base64,[A-Za-z0-9+/=]+" width="114" height="114"/g)).toHaveLength(2);
        expect(html.match(/<img /g)).toHaveLength(3); // and the reference row, beside the read-out
        expect(html).toContain('rows (no labels)');
        expect(html).not.toMatch(/https?:|<script/i);
        model.dispose();
      });
    });
  });
});

describe('explainer-default module', () => {
  describe('when loaded into a container', () => {
    it('should bind the default explainer once, as a singleton, and the manifest should say so', () => {
      const container = new Container();
      container.load(explainerModule);
      const explainers = container.getAll<Explainer>(Explainer);
      expect(explainers.map((e) => e.name)).toEqual(['default']);
      expect(explainers[0]).toBe(container.get(DefaultExplainer));
      expect(plugin).toBe(explainerModule);
      expect(manifest).toMatchObject({ name: 'explainer-default', kind: 'explainer', provides: ['default'] });
    });
  });
});
