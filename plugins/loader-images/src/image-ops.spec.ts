import { describe, expect, it } from 'vitest';
import { resizeBilinear, toChannels } from './image-ops.js';

describe('toChannels', () => {
  const image = { width: 2, height: 1, data: Uint8Array.from([255, 0, 0, 255, 51, 51, 51, 0]) };

  describe('when asked for one channel', () => {
    it('should give ITU-R 601 luma scaled to [0, 1], and gray pixels unchanged', () => {
      const gray = toChannels(image, 1);
      expect(gray[0]).toBeCloseTo(0.299, 6);
      expect(gray[1]).toBeCloseTo(0.2, 6);
    });
  });

  describe('when asked for three channels', () => {
    it('should give RGB scaled to [0, 1] and drop alpha', () => {
      expect(Array.from(toChannels(image, 3)).map((v) => Number(v.toFixed(6)))).toEqual([1, 0, 0, 0.2, 0.2, 0.2]);
    });
  });
});

describe('resizeBilinear', () => {
  describe('when the size does not change', () => {
    it('should return the pixels as they are', () => {
      const pixels = Float32Array.of(1, 2, 3, 4);
      expect(resizeBilinear(pixels, [2, 2, 1], [2, 2])).toBe(pixels);
    });
  });

  describe('when upsampling 2x2 to 4x4', () => {
    it('should interpolate at pixel centers and clamp at the edges, as TensorFlow does with half-pixel centers', () => {
      const out = resizeBilinear(Float32Array.of(0, 1, 2, 3), [2, 2, 1], [4, 4]);
      // Rows sample source y = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1); the same along x.
      expect(Array.from(out.subarray(0, 4))).toEqual([0, 0.25, 0.75, 1]);
      expect(Array.from(out.subarray(4, 8))).toEqual([0.5, 0.75, 1.25, 1.5]);
      expect(Array.from(out.subarray(12, 16))).toEqual([2, 2.25, 2.75, 3]);
    });
  });

  describe('when downsampling with several channels', () => {
    it('should keep each channel apart', () => {
      const pixels = new Float32Array(4 * 4 * 2);
      for (let p = 0; p < 16; p++) {
        pixels[2 * p] = 1;
        pixels[2 * p + 1] = p % 4;
      }
      const out = resizeBilinear(pixels, [4, 4, 2], [2, 2]);
      expect(Array.from(out)).toEqual([1, 0.5, 1, 2.5, 1, 0.5, 1, 2.5]);
    });
  });
});
