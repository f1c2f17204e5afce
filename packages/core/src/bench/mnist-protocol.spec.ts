import { describe, expect, it } from 'vitest';
import type { Dataset } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';
import { oneVsRestSplit } from './mnist-protocol.js';

/** 10 classes of 100 rows; each row's single feature is its index, so rows can be traced through a split. */
function classDataset(perClass = 100, classCount = 10): Dataset {
  const n = perClass * classCount;
  return {
    x: Float32Array.from({ length: n }, (_, i) => i),
    n,
    sampleShape: [1],
    classes: Int32Array.from({ length: n }, (_, i) => i % classCount),
    source: 'digits',
  };
}

const rowIds = (data: Dataset): number[] => Array.from(data.x);
const sum = (values: Uint8Array): number => values.reduce((a, b) => a + b, 0);

describe('oneVsRestSplit', () => {
  const data = classDataset();

  describe('when called with the defaults', () => {
    const split = oneVsRestSplit(data, 3, 0);

    it('should hold out 30% of every class for the test set, labelled y = (class != k)', () => {
      expect(split.test.n).toBe(300);
      for (let label = 0; label < 10; label++) {
        expect(Array.from(split.test.classes!).filter((c) => c === label)).toHaveLength(30);
      }
      expect(Array.from(split.test.y!)).toEqual(Array.from(split.test.classes!, (c) => (c === 3 ? 0 : 1)));
    });

    it('should train on the normal class unlabeled plus gamma_l = 5% labeled anomalies of class k + 1', () => {
      // Ruff's count: n_l = n_k * gamma_l / (1 - gamma_l) = floor(70 * 0.05 / 0.95) = 3, i.e. 3 of 73 rows.
      expect(split.train.n).toBe(73);
      expect(split.labeledAnomalies).toBe(3);
      expect(split.anomalyClass).toBe(4);
      expect(split.pollutedRows).toBe(0);
      const classes = Array.from(split.train.classes!);
      const y = Array.from(split.train.y!);
      expect(classes.filter((c, i) => y[i] === 0).every((c) => c === 3)).toBe(true);
      expect(classes.filter((c, i) => y[i] === 1)).toEqual([4, 4, 4]);
      expect(classes.filter((c) => c === 3)).toHaveLength(70);
    });

    it('should never put a row in both the training and the test set', () => {
      const test = new Set(rowIds(split.test));
      expect(rowIds(split.train).some((id) => test.has(id))).toBe(false);
    });
  });

  describe('when the normal class is the last one', () => {
    it('should draw the labeled anomalies from the first class, (k + 1) mod 10', () => {
      const split = oneVsRestSplit(data, 9, 0);
      expect(split.anomalyClass).toBe(0);
      expect(Array.from(split.train.classes!).filter((c, i) => split.train.y![i] === 1).every((c) => c === 0)).toBe(true);
    });
  });

  describe('when options are given', () => {
    it('should pollute the unlabeled rows with other classes and use the anomaly class asked for', () => {
      const split = oneVsRestSplit(data, 0, 1, { anomalyClass: 7, labeledRatio: 0.2, pollution: 0.1 });
      // n_p = floor(70 * 0.1 / 0.9) = 7, n_l = floor(77 * 0.2 / 0.8) = 19.
      expect(split.pollutedRows).toBe(7);
      expect(split.labeledAnomalies).toBe(19);
      expect(split.train.n).toBe(70 + 7 + 19);
      const classes = Array.from(split.train.classes!);
      const y = Array.from(split.train.y!);
      expect(classes.filter((c, i) => y[i] === 1).every((c) => c === 7)).toBe(true);
      const unlabeledOthers = classes.filter((c, i) => y[i] === 0 && c !== 0);
      expect(unlabeledOthers).toHaveLength(7);
      expect(sum(split.train.y!)).toBe(19);
      expect(new Set(rowIds(split.train)).size).toBe(split.train.n);
    });
  });

  describe('when the seed changes', () => {
    it('should give another split, and the same seed the same split', () => {
      const a = oneVsRestSplit(data, 2, 5);
      const b = oneVsRestSplit(data, 2, 5);
      const c = oneVsRestSplit(data, 2, 6);
      expect(rowIds(a.train)).toEqual(rowIds(b.train));
      expect(rowIds(a.test)).toEqual(rowIds(b.test));
      expect(rowIds(a.test)).not.toEqual(rowIds(c.test));
    });
  });

  describe('when the input cannot be split', () => {
    it('should fail with a one-line error that says why', () => {
      const noClasses: Dataset = { ...data, classes: undefined };
      const cases: [() => unknown, string, RegExp][] = [
        [() => oneVsRestSplit(noClasses, 0, 0), 'input', /digits has no class ids/],
        [() => oneVsRestSplit(data, 12, 0), 'usage', /class 12 is not in digits \(classes: 0, 1, 2/],
        [() => oneVsRestSplit(data, 1, 0, { anomalyClass: 1 }), 'usage', /anomaly class 1 must be another class/],
        [() => oneVsRestSplit(data, 1, 0, { labeledRatio: 1 }), 'usage', /labeledRatio must be in \[0, 1\)/],
      ];
      for (const [run, kind, message] of cases) {
        const error = (() => {
          try {
            run();
          } catch (e) {
            return e;
          }
          return undefined;
        })();
        expect(ImdadError.is(error, kind as never)).toBe(true);
        expect(String((error as Error).message)).toMatch(message);
        expect((error as Error).message).not.toContain('\n');
      }
    });
  });
});
