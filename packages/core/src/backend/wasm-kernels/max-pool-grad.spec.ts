import { describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { registerWasmTrainingKernels } from './index.js';
import { maxPoolGradWasmConfig } from './max-pool-grad.js';
import { maxAbsDiff, randomValues } from '../../testing/fixtures.js';

type BackendName = 'cpu' | 'wasm';
type Shape4 = [number, number, number, number];

interface PoolCase {
  xShape: Shape4;
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'same' | 'valid' | number;
  /** Shifts the random values, e.g. to make every window negative. */
  offset?: number;
  /** Rounds the random values to this many levels, to make ties. */
  levels?: number;
}


function inputValues(c: PoolCase): Float32Array {
  const values = randomValues(tf.util.sizeFromShape(c.xShape), 5);
  return values.map((v) => {
    const level = c.levels ? Math.round(v * c.levels) / c.levels : v;
    return level + (c.offset ?? 0);
  });
}

/** d(sum(maxPool(x) * dy)) / dx, via the gradient of tf.maxPool. */
async function poolInputGradient(backend: BackendName, c: PoolCase): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(inputValues(c), c.xShape);
    const pool = (v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, c.filterSize, c.strides, c.pad);
    const outShape = pool(x).shape;
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), 9), outShape);
    return Float32Array.from(tf.grad(pool)(x, dy).dataSync());
  });
}

function describeCase(c: PoolCase): string {
  const extra = [c.offset ? `offset ${c.offset}` : '', c.levels ? `${c.levels} levels` : ''].filter(Boolean).join(' ');
  return `x [${c.xShape}] pool ${c.filterSize} strides ${c.strides} pad ${c.pad} ${extra}`.trim();
}

useWasmBackendForThisFile();

describe('maxPoolGradWasmConfig', () => {
  describe('when registerWasmTrainingKernels has run', () => {
    it('should have replaced the MaxPoolGrad kernel tfjs-backend-wasm ships', () => {
      expect(maxPoolGradWasmConfig.kernelName).toBe('MaxPoolGrad');
      expect(maxPoolGradWasmConfig.backendName).toBe('wasm');
      registerWasmTrainingKernels();
      expect(tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc).toBe(maxPoolGradWasmConfig.kernelFunc);
    });
  });

  describe('when differentiating tf.maxPool', () => {
    const cases: PoolCase[] = [
      { xShape: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
      { xShape: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: 'valid' },
      { xShape: [2, 7, 9, 3], filterSize: 2, strides: 2, pad: 'same' },
      { xShape: [2, 7, 9, 1], filterSize: 3, strides: 2, pad: 'same' },
      { xShape: [2, 7, 9, 4], filterSize: 3, strides: 1, pad: 'same' },
      { xShape: [1, 9, 7, 2], filterSize: [3, 2], strides: [2, 1], pad: 'valid' },
      { xShape: [2, 7, 9, 3], filterSize: 3, strides: 2, pad: 1 },
      // every window negative: the shipped kernel drops all these gradients
      { xShape: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid', offset: -2 },
      { xShape: [2, 7, 9, 3], filterSize: 3, strides: 2, pad: 'same', offset: -2 },
      // ties (as after a ReLU): the first maximum of each window takes the gradient
      { xShape: [2, 7, 9, 3], filterSize: 3, strides: 1, pad: 'same', levels: 2 },
      { xShape: [2, 8, 8, 2], filterSize: 2, strides: 2, pad: 'valid', levels: 1, offset: -1 },
    ];

    it.each(cases.map((c) => [describeCase(c), c] as const))('should match the cpu backend for %s', async (_, c) => {
      const expected = await poolInputGradient('cpu', c);
      const actual = await poolInputGradient('wasm', c);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
    });
  });

  describe('when a pooling gradient is computed again once warm', () => {
    it('should leave no tensors and no wasm buffers behind', async () => {
      await tf.setBackend('wasm');
      const step = () =>
        tf.tidy(() => {
          const x = tf.tensor4d(randomValues(2 * 7 * 9 * 3, 1), [2, 7, 9, 3]);
          tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, 3, 2, 'same'))(x).dataSync();
        });
      step();
      const tensors = tf.memory().numTensors;
      const buffers = tf.engine().backend.numDataIds();
      step();
      step();
      expect(tf.memory().numTensors).toBe(tensors);
      expect(tf.engine().backend.numDataIds()).toBe(buffers);
    });
  });
});
