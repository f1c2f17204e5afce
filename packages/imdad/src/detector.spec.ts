import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as mlp from '@imdad/backbone-mlp';
import { Detector, ImdadError, auroc, readData, tf, type TrainingProgress } from './node.js';

/** 300 unlabeled rows near the origin (a few hidden anomalies among them) and 8 labeled anomalies far out. */
function toyData(): { rows: number[][]; labels: number[]; truth: number[] } {
  let state = 11;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const rows: number[][] = [];
  const labels: number[] = [];
  const truth: number[] = [];
  for (let i = 0; i < 300; i++) {
    const hidden = i % 30 === 29;
    rows.push(Array.from({ length: 5 }, () => (hidden ? 2.5 : 0) + random()));
    labels.push(0);
    truth.push(hidden ? 1 : 0);
  }
  for (let i = 0; i < 8; i++) {
    rows.push(Array.from({ length: 5 }, () => 2.5 + random()));
    labels.push(1);
    truth.push(1);
  }
  return { rows, labels, truth };
}

const FAST = { seed: 5, backend: 'wasm', trainerOptions: { epochs: 8 } } as const;

describe('Detector (imdad library API)', () => {
  const { rows, labels, truth } = toyData();
  let dir: string;
  let detector: Detector;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-library-'));
    detector = await Detector.create(FAST);
    await detector.fit(rows, labels);
  });

  afterAll(() => {
    detector.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('when fitted on arrays with a few labeled anomalies', () => {
    it('should rank the anomalies first, read c and R from the head, and flag rows outside the sphere', () => {
      const scores = detector.score(rows);
      expect(scores).toBeInstanceOf(Float32Array);
      expect(scores).toHaveLength(rows.length);
      expect(auroc(scores, Uint8Array.from(truth))).toBeGreaterThan(0.95);
      expect(detector.center).toHaveLength(32);
      expect(detector.radius).toBeGreaterThan(0);
      expect(detector.manifest.sphere.radius).toBeCloseTo(detector.radius, 5);
      const predicted = detector.predict(rows);
      expect(predicted.every((flag, i) => flag === scores[i] > 0)).toBe(true);
      expect(predicted.slice(300).filter(Boolean).length).toBeGreaterThanOrEqual(6);
    });

    it('should score a typed array with a shape and a tensor like the same rows as arrays', () => {
      const data = Float32Array.from(rows.flat());
      const fromArrays = detector.score(rows);
      expect(Array.from(detector.score({ data, shape: [rows.length, 5] }))).toEqual(Array.from(fromArrays));
      const tensor = tf.tensor2d(data, [rows.length, 5]);
      expect(Array.from(detector.score(tensor))).toEqual(Array.from(fromArrays));
      tensor.dispose();
    });
  });

  describe('when saved and loaded again', () => {
    it('should give identical scores from the folder and from its files, in the format the CLI reads', async () => {
      const out = path.join(dir, 'model');
      await detector.save(out);
      expect(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).format).toBe('imdad-model');
      const loaded = await Detector.load(out);
      expect(Array.from(loaded.score(rows))).toEqual(Array.from(detector.score(rows)));
      expect(Array.from(loaded.center)).toEqual(Array.from(detector.center));
      const fromFiles = await Detector.load(detector.toFiles());
      expect(Array.from(fromFiles.score(rows))).toEqual(Array.from(detector.score(rows)));
      loaded.dispose();
      fromFiles.dispose();
    });
  });

  describe('when the same options and seed are fitted twice', () => {
    it('should train the same model, report progress every epoch, and free its tensors on dispose', async () => {
      const before = tf.memory().numTensors;
      const progress: TrainingProgress[] = [];
      const again = await Detector.create(FAST);
      await again.fit(rows, labels, { onProgress: (p) => progress.push(p) });
      expect(progress.map((p) => p.epoch)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(progress.every((p) => Number.isFinite(p.loss) && p.samplesPerSecond > 0)).toBe(true);
      expect(Array.from(again.score(rows))).toEqual(Array.from(detector.score(rows)));
      again.dispose();
      expect(tf.memory().numTensors).toBe(before);
      expect(() => again.score(rows)).toThrow(/no model yet/);
    });
  });

  describe('when a row is explained', () => {
    it('should decompose its distance over the embedding and attribute its score to the inputs', async () => {
      const explanation = await detector.explain(rows, { rows: [305], method: 'integrated-gradients', steps: 32, normalRows: [0, 1, 2], nearest: 2 });
      const [row] = explanation.rows;
      expect(row.index).toBe(305);
      expect(row.dimensions.reduce((a, b) => a + b, 0)).toBeCloseTo(row.distanceSquared, 3);
      expect(row.attributions).toHaveLength(5);
      expect(Math.abs(row.completenessError ?? 1)).toBeLessThan(0.05 * Math.max(1, Math.abs(row.score)));
      expect(row.nearestNormals).toHaveLength(2);
    });
  });

  describe('when options or inputs are wrong', () => {
    it('should fail with one-line errors of the rc file kind, naming the key', async () => {
      const unknownKey = await Detector.create({ epochs: 3 } as never).catch((e: unknown) => e);
      expect(ImdadError.is(unknownKey, 'config')).toBe(true);
      expect((unknownKey as Error).message).toMatch(/^Detector\.create: epochs: unknown key \(known keys: backend, seed, backbone/);
      await expect(Detector.create({ backbone: 'nope' })).rejects.toThrow(/backbone "nope"/);
      await expect(Detector.create({ trainerOptions: { epochs: -1 } })).rejects.toThrow(/trainer "adam" options: epochs/);
      await expect(Detector.create({ plugins: ['imdad-plugin-absent'] })).rejects.toThrow(/plugin "imdad-plugin-absent" is not installed/);
    });

    it('should refuse ragged rows, NaN, bad labels and rows of another width', async () => {
      const fresh = await Detector.create(FAST);
      await expect(fresh.fit([[1, 2], [3]])).rejects.toThrow(/^x: row 1 has 1 values, row 0 has 2/);
      await expect(fresh.fit([[1, Number.NaN]])).rejects.toThrow(/^x: row 0, value 1 is NaN/);
      await expect(fresh.fit([[1], [2]], [0, 2])).rejects.toThrow(/^y\[1\] is 2/);
      await expect(fresh.fit([[1], [2]], [0])).rejects.toThrow(/^y has 1 labels for 2 rows/);
      await expect(fresh.fit({ data: [1, 2, 3], shape: [2, 2] })).rejects.toThrow(/3 values do not fill shape \[2, 2\]/);
      expect(() => detector.score([[1, 2, 3]])).toThrow(/x has rows of 3 features; the model expects 5 features/);
      expect(() => fresh.predict(rows)).toThrow(/no model yet/);
    });
  });

  describe('when a plugin module is passed', () => {
    it('should take an imported module that is also built in without binding it twice', async () => {
      const withModule = await Detector.create({ ...FAST, plugins: [mlp] });
      await withModule.fit(rows, labels);
      expect(Array.from(withModule.score(rows))).toEqual(Array.from(detector.score(rows)));
      withModule.dispose();
    });
  });

  describe('readData', () => {
    it('should read a CSV into x, y and feature names that fit takes as they are', async () => {
      const csv = path.join(import.meta.dirname, '../../cli/data/cardio-train.csv');
      expect(existsSync(csv)).toBe(true);
      const { x, y, featureNames } = await readData(csv);
      expect(x.shape[0]).toBe(y?.length);
      expect(featureNames).toHaveLength(x.shape[1]);
    });
  });
});
