import { SeededRandom } from '@imdad/core';
import { describe, expect, it } from 'vitest';
import { principalPlane, projectPoint, symmetricEigen } from './pca.js';

function gaussian(random: SeededRandom): number {
  return Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
}

describe('symmetricEigen', () => {
  describe('when given a random symmetric matrix', () => {
    it('should return unit eigenvectors with A v = lambda v, eigenvalues descending', () => {
      const n = 12;
      const random = new SeededRandom(4);
      const a = new Float64Array(n * n);
      for (let p = 0; p < n; p++) for (let q = p; q < n; q++) a[p * n + q] = a[q * n + p] = gaussian(random);
      const { values, vectors } = symmetricEigen(a, n);
      for (let i = 0; i < n; i++) {
        if (i > 0) expect(values[i]).toBeLessThanOrEqual(values[i - 1]);
        expect(Math.hypot(...vectors[i])).toBeCloseTo(1, 10);
        for (let p = 0; p < n; p++) {
          let av = 0;
          for (let q = 0; q < n; q++) av += a[p * n + q] * vectors[i][q];
          expect(av).toBeCloseTo(values[i] * vectors[i][p], 9);
        }
      }
    });
  });

  describe('when two eigenvalues are equal', () => {
    it('should still return an orthonormal basis', () => {
      const { values, vectors } = symmetricEigen([2, 0, 0, 0, 2, 0, 0, 0, 1], 3);
      expect(Array.from(values)).toEqual([2, 2, 1]);
      expect(vectors[0][0] * vectors[1][0] + vectors[0][1] * vectors[1][1] + vectors[0][2] * vectors[1][2]).toBeCloseTo(0, 12);
    });
  });
});

describe('principalPlane', () => {
  describe('when the points spread mostly along one known direction', () => {
    it('should find that direction first and say how much variance each axis holds', () => {
      const random = new SeededRandom(1);
      const d = 5;
      const n = 2000;
      const direction = [3, 4, 0, 0, 0].map((v) => v / 5);
      const points = new Float32Array(n * d);
      for (let i = 0; i < n; i++) {
        const along = 10 * gaussian(random);
        for (let k = 0; k < d; k++) points[i * d + k] = 7 + along * direction[k] + 0.5 * gaussian(random);
      }
      const plane = principalPlane(points, n, d);
      expect(Math.abs(plane.axes[0][0] - 0.6)).toBeLessThan(0.01);
      expect(Math.abs(plane.axes[0][1] - 0.8)).toBeLessThan(0.01);
      expect(plane.explained[0]).toBeGreaterThan(0.9);
      expect(plane.explained[0] + plane.explained[1]).toBeLessThanOrEqual(1 + 1e-9);
      expect(projectPoint(plane, plane.mean)).toEqual([0, 0]);
    });
  });

  describe('when the points have one dimension', () => {
    it('should project them onto a line', () => {
      const plane = principalPlane(Float32Array.of(1, 2, 4), 3, 1);
      expect(projectPoint(plane, [4])[1]).toBe(0);
      expect(projectPoint(plane, [4])[0]).toBeCloseTo(4 - 7 / 3, 6);
    });
  });
});
