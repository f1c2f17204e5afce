import { describe, expect, it } from 'vitest';
import { syntheticDataset } from '../testing/fixtures.js';
import { semiSupervisedSplit } from './tabular-protocol.js';

describe('semiSupervisedSplit', () => {
  const data = syntheticDataset({ normals: 900, anomalies: 100, labeled: 100, width: 3, seed: 9 });

  describe('when nla is a count', () => {
    it('should split 70/30 stratified and label exactly nla training anomalies', () => {
      const split = semiSupervisedSplit(data, 10, 0);
      expect(split.test.n).toBe(300);
      expect(split.train.n).toBe(700);
      expect(split.test.y!.reduce((a, b) => a + b, 0)).toBe(30);
      expect(split.train.y!.reduce((a, b) => a + b, 0)).toBe(10);
      expect(split.labeledAnomalies).toBe(10);
    });
  });

  describe('when nla is below 1', () => {
    it('should label that share of the training anomalies', () => {
      expect(semiSupervisedSplit(data, 0.5, 0).labeledAnomalies).toBe(35);
    });
  });

  describe('when the seed changes', () => {
    it('should give another split, and the same seed the same split', () => {
      const a = semiSupervisedSplit(data, 10, 1);
      const b = semiSupervisedSplit(data, 10, 1);
      const c = semiSupervisedSplit(data, 10, 2);
      expect(Array.from(a.test.x)).toEqual(Array.from(b.test.x));
      expect(Array.from(a.test.x)).not.toEqual(Array.from(c.test.x));
    });
  });
});
