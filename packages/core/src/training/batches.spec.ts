import { describe, expect, it } from 'vitest';
import { BatchPlanner } from './batches.js';

describe('BatchPlanner', () => {
  const unlabeled = Int32Array.from({ length: 100 }, (_, i) => i);
  const anomalies = Int32Array.of(100, 101, 102);

  describe('.epoch', () => {
    describe('when there are labeled anomalies', () => {
      it('should visit every unlabeled row once and put anomalies in every batch', () => {
        const planner = new BatchPlanner(unlabeled, anomalies, 32, 0.5, 1);
        const seen: number[] = [];
        for (const { rows, targets } of planner.epoch()) {
          const anomalous = Array.from(rows).filter((_, i) => targets[i] === 1);
          expect(anomalous.length).toBe(16);
          expect(anomalous.every((r) => r >= 100)).toBe(true);
          seen.push(...Array.from(rows).filter((_, i) => targets[i] === -1));
        }
        expect(seen.sort((a, b) => a - b)).toEqual(Array.from(unlabeled));
        expect(planner.stepsPerEpoch).toBe(Math.ceil(100 / 16));
      });
    });

    describe('when given a subset of unlabeled rows', () => {
      it('should draw unlabeled rows only from it', () => {
        const planner = new BatchPlanner(unlabeled, anomalies, 32, 0.25, 1);
        const subset = Int32Array.of(3, 5, 7);
        const rows = [...planner.epoch(subset)].flatMap((b) => Array.from(b.rows).filter((_, i) => b.targets[i] === -1));
        expect(rows.sort()).toEqual([3, 5, 7]);
      });
    });

    describe('when there are no labeled anomalies', () => {
      it('should fill batches with unlabeled rows only', () => {
        const planner = new BatchPlanner(unlabeled, new Int32Array(0), 32, 0.5, 1);
        for (const { targets } of planner.epoch()) expect(targets.every((t) => t === -1)).toBe(true);
      });
    });
  });

  describe('.randomState', () => {
    describe('when a fresh planner takes the state of one that has planned two epochs', () => {
      it('should plan the same third epoch', () => {
        const original = new BatchPlanner(unlabeled, anomalies, 32, 0.5, 4);
        [...original.epoch()];
        [...original.epoch()];
        const restored = new BatchPlanner(unlabeled, anomalies, 32, 0.5, 4);
        restored.randomState = original.randomState;
        const rows = (planner: BatchPlanner): number[][] => [...planner.epoch()].map((b) => Array.from(b.rows));
        expect(rows(restored)).toEqual(rows(original));
      });
    });

    describe('when the state is not a uint32', () => {
      it('should refuse it', () => {
        const planner = new BatchPlanner(unlabeled, anomalies, 32, 0.5, 4);
        expect(() => (planner.randomState = -1)).toThrow(RangeError);
        expect(() => (planner.randomState = 2 ** 32)).toThrow(RangeError);
        expect(() => (planner.randomState = 1.5)).toThrow(RangeError);
      });
    });
  });
});
