import { describe, expect, it } from 'vitest';
import { auprc, auroc, evaluateScores, f1AtThreshold } from './metrics.js';

describe('auroc', () => {
  describe('when scores separate the classes', () => {
    it('should be 1 for a perfect ranking and 0 for a reversed one', () => {
      expect(auroc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
      expect(auroc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    });
  });

  describe('when scores tie', () => {
    it('should count ties half (all equal gives 0.5)', () => {
      expect(auroc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
      // pairs (pos, neg): (0.5 vs 0.1) win, (0.5 vs 0.5) tie, (0.3 vs 0.1) win, (0.3 vs 0.5) loss => 2.5 / 4
      expect(auroc([0.1, 0.5, 0.5, 0.3], [0, 0, 1, 1])).toBeCloseTo(0.625);
    });
  });

  describe('when only one class is present', () => {
    it('should be NaN', () => {
      expect(auroc([1, 2], [0, 0])).toBeNaN();
    });
  });
});

describe('auprc', () => {
  describe('when given a known ranking', () => {
    it('should equal scikit-learn average precision', () => {
      // sklearn.metrics.average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
      expect(auprc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBeCloseTo(0.8333333, 6);
    });
  });
});

describe('f1AtThreshold', () => {
  describe('when the threshold is the model default 0', () => {
    it('should flag scores above 0', () => {
      // flagged: rows 2, 3 (tp 1, fp 1); missed anomaly row 1 => f1 = 2 / (2 + 1 + 1)
      expect(f1AtThreshold([-1, -0.5, 0.5, 2], [0, 1, 0, 1])).toBeCloseTo(0.5);
    });
  });
});

describe('evaluateScores', () => {
  describe('when given labeled scores', () => {
    it('should count rows and anomalies', () => {
      expect(evaluateScores([1, 2, 3], [0, 1, 1])).toMatchObject({ n: 3, anomalies: 2, auroc: 1 });
    });
  });
});
