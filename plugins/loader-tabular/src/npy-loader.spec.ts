import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Dataset } from '@imdad/core';
import { describe, expect, it } from 'vitest';
import { NpzLoader } from './npy-loader.js';
import { readNpz, readZipDirectory } from './npz.js';

const ADBENCH = '/work/shared/data/adbench';

/**
 * What the ADBench archives hold, as NumPy reads them (numpy 2.4): every X is
 * stored in Fortran order; no file uses big-endian data.
 */
const EXPECTED: Record<string, { n: number; d: number; anomalies: number; xDtype: string; yDtype: string; first: number[]; last: number }> = {
  '11_donors.npz': { n: 619326, d: 10, anomalies: 36710, xDtype: '<f8', yDtype: '<i8', first: [0.0, 1.0, 1.0], last: 0.0032890000000000003 },
  '20_letter.npz': { n: 1600, d: 32, anomalies: 100, xDtype: '|u1', yDtype: '<i8', first: [6.0, 10.0, 5.0], last: 7.0 },
  '23_mammography.npz': { n: 11183, d: 6, anomalies: 260, xDtype: '<f8', yDtype: '<i8', first: [0.23001961, 5.0725783, -0.27606055], last: 1.5559507 },
  '24_mnist.npz': { n: 7603, d: 100, anomalies: 700, xDtype: '<f8', yDtype: '<i8', first: [-0.003599999938160181, -73.80415344238281, 198.20596313476562], last: 0.0 },
  '26_optdigits.npz': { n: 5216, d: 64, anomalies: 150, xDtype: '<f8', yDtype: '<i8', first: [0.0, 0.0, 0.0], last: 0.0 },
  '2_annthyroid.npz': { n: 7200, d: 6, anomalies: 534, xDtype: '<f8', yDtype: '<i8', first: [0.73, 0.0006, 0.015], last: 0.09 },
  '30_satellite.npz': { n: 6435, d: 36, anomalies: 2036, xDtype: '|u1', yDtype: '<i8', first: [92.0, 115.0, 120.0], last: 92.0 },
  '31_satimage-2.npz': { n: 5803, d: 36, anomalies: 71, xDtype: '<f8', yDtype: '<i8', first: [92.0, 115.0, 120.0], last: 143.0 },
  '32_shuttle.npz': { n: 49097, d: 9, anomalies: 3511, xDtype: '<i2', yDtype: '<i8', first: [50.0, 21.0, 77.0], last: 20.0 },
  '38_thyroid.npz': { n: 3772, d: 6, anomalies: 93, xDtype: '<f8', yDtype: '<i8', first: [0.774193548387, 0.0011320754717, 0.137571157495], last: 0.16393442623 },
  '40_vowels.npz': { n: 1456, d: 12, anomalies: 50, xDtype: '<f8', yDtype: '<i8', first: [0.5804691396063525, -0.9025340443520413, 0.617899185491927], last: -0.7219901767487024 },
  '6_cardio.npz': { n: 1831, d: 21, anomalies: 176, xDtype: '<f8', yDtype: '<i8', first: [0.004912314661768384, 0.6931907749193863, -0.20364048566636067], last: -0.49329396944014214 },
  '7_Cardiotocography.npz': { n: 2114, d: 21, anomalies: 466, xDtype: '<f8', yDtype: '<i4', first: [120.0, 0.0, 0.0], last: 0.0 },
};

const files = readdirSync(ADBENCH).filter((name) => name.endsWith('.npz')).sort();

describe(NpzLoader, () => {
  const loader = new NpzLoader();

  describe('.load', () => {
    describe('when reading the ADBench archives', () => {
      it('should find every archive this spec knows about', () => {
        expect(files).toEqual(Object.keys(EXPECTED).sort());
      });

      it.each(files)('should load %s with sane shapes and 0/1 labels', async (name) => {
        const expected = EXPECTED[name];
        const path = join(ADBENCH, name);
        const started = performance.now();
        const data = await loader.load(path);
        const seconds = (performance.now() - started) / 1000;
        expect(seconds).toBeLessThan(3);

        expect(data.n).toBe(expected.n);
        expect(data.sampleShape).toEqual([expected.d]);
        expect(data.x.length).toBe(expected.n * expected.d);
        expect(data.y).toBeInstanceOf(Uint8Array);
        expect(data.y!.length).toBe(expected.n);
        expect(data.y!.every((v) => v === 0 || v === 1)).toBe(true);
        expect(data.y!.reduce((sum, v) => sum + v, 0)).toBe(expected.anomalies);
        // Row-major after the Fortran-order transpose: first row, last cell.
        expect(Array.from(data.x.subarray(0, 3))).toEqual(expected.first.map(Math.fround));
        expect(data.x[data.x.length - 1]).toBe(Math.fround(expected.last));
        expect(data.source).toBe(path);
      });
    });
  });

  describe('.stream', () => {
    describe('when streaming an ADBench archive', () => {
      it('should yield chunks that together equal the loaded dataset', async () => {
        const path = join(ADBENCH, '6_cardio.npz');
        const whole = await loader.load(path);
        const chunks: Dataset[] = [];
        for await (const chunk of loader.stream(path, 500)) chunks.push(chunk);
        expect(chunks.map((c) => c.n)).toEqual([500, 500, 500, 331]);
        expect(chunks.flatMap((c) => Array.from(c.x))).toEqual(Array.from(whole.x));
        expect(chunks.flatMap((c) => Array.from(c.y!))).toEqual(Array.from(whole.y!));
      });
    });
  });
});

describe(readNpz, () => {
  describe('.readNpz', () => {
    describe('when reading the ADBench archives', () => {
      it('should see the dtypes NumPy reports: X in <f8, |u1 or <i2, y in <i8 or <i4', () => {
        const seen = new Set<string>();
        for (const name of files.filter((f) => f !== '11_donors.npz')) {
          const arrays = readNpz(readFileSync(join(ADBENCH, name)), name);
          const { xDtype, yDtype, n, d } = EXPECTED[name];
          expect([...arrays.keys()].sort()).toEqual(['X', 'y']);
          expect(arrays.get('X')!.dtype).toBe(xDtype);
          expect(arrays.get('X')!.shape).toEqual([n, d]);
          expect(arrays.get('y')!.dtype).toBe(yDtype);
          expect(arrays.get('y')!.shape).toEqual([n]);
          seen.add(arrays.get('X')!.dtype).add(arrays.get('y')!.dtype);
        }
        // 11_donors (skipped above only to keep this fast; the loader test reads it) is <f8 / <i8.
        const donors = readZipDirectory(readFileSync(join(ADBENCH, '11_donors.npz')), '11_donors.npz');
        expect(donors.map((e) => e.name)).toEqual(['X.npy', 'y.npy']);
        expect([...seen].sort()).toEqual(['<f8', '<i2', '<i4', '<i8', '|u1']);
      });
    });
  });
});
