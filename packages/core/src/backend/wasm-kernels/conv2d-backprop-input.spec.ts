import { describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { maxAbsDiff, randomValues } from '../../testing/fixtures.js';
import { conv2dBackpropInputWasmConfig } from './conv2d-backprop-input.js';
import { registerWasmTrainingKernels } from './index.js';

type BackendName = 'cpu' | 'wasm';
type Shape4 = [number, number, number, number];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  xShape: Shape4;
  filterShape: Shape4;
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const TOLERANCE = 1e-3;

function dyShape(c: ConvCase): Shape4 {
  return tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, c.dimRoundingMode).outShape as Shape4;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad) : c.pad;
  return `x [${c.xShape}] filter [${c.filterShape}] strides ${c.strides} pad ${pad}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;
}

/** d(sum(conv2d(x, filter) * dy)) / dx, via the gradient of tf.conv2d. */
async function convInputGradient(backend: BackendName, c: ConvCase, seed: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.xShape), seed), c.xShape);
    const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.filterShape), seed + 1), c.filterShape);
    const outShape = dyShape(c);
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), seed + 2), outShape);
    const gradient = tf.grad((input: tf.Tensor) => tf.conv2d(input as tf.Tensor4D, filter, c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode))(x, dy);
    return Float32Array.from(gradient.dataSync());
  });
}

useWasmBackendForThisFile();

describe('conv2dBackpropInputWasmConfig', () => {
  it('should be the Conv2DBackpropInput kernel of the wasm backend once registerWasmTrainingKernels has run', () => {
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2dBackpropInputWasmConfig.kernelFunc);
    registerWasmTrainingKernels();
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')?.kernelFunc).toBe(conv2dBackpropInputWasmConfig.kernelFunc);
  });

  describe('when differentiating tf.conv2d with respect to its input', () => {
    const cases: ConvCase[] = [];
    for (const strides of [1, 2])
      for (const pad of ['same', 'valid'] as const)
        for (const kernel of [1, 3, 5])
          for (const [inChannels, outChannels] of [
            [1, 3],
            [3, 4],
          ])
            cases.push({ xShape: [2, 7, 9, inChannels], filterShape: [kernel, kernel, inChannels, outChannels], strides, pad });

    it.each(cases.map((c) => [describeCase(c), c] as const))('should match the cpu backend for %s', async (_, c) => {
      const expected = await convInputGradient('cpu', c, 1);
      const actual = await convInputGradient('wasm', c, 1);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
    });
  });

  describe('when the strides, padding or shapes are unusual', () => {
    const cases: ConvCase[] = [
      // 'valid' with a stride that leaves trailing rows / columns unread (handed to the shipped kernel)
      { xShape: [2, 8, 9, 2], filterShape: [3, 3, 2, 3], strides: 2, pad: 'valid' },
      { xShape: [2, 8, 10, 2], filterShape: [5, 5, 2, 3], strides: 2, pad: 'valid' },
      { xShape: [3, 11, 7, 2], filterShape: [3, 2, 2, 4], strides: [3, 2], pad: 'same' },
      { xShape: [2, 9, 8, 3], filterShape: [1, 1, 3, 5], strides: 2, pad: 'valid' },
      { xShape: [6, 28, 28, 8], filterShape: [5, 5, 8, 4], strides: 1, pad: 'same' },
      { xShape: [4, 28, 28, 16], filterShape: [3, 3, 16, 32], strides: 2, pad: 'same' },
      { xShape: [4, 28, 28, 16], filterShape: [1, 1, 16, 32], strides: 2, pad: 'same' },
      { xShape: [2, 7, 9, 3], filterShape: [3, 3, 3, 4], strides: 2, pad: 1 },
      { xShape: [2, 8, 10, 2], filterShape: [3, 3, 2, 3], strides: 2, pad: 1, dimRoundingMode: 'ceil' },
      {
        xShape: [2, 7, 9, 3],
        filterShape: [3, 3, 3, 4],
        strides: 1,
        pad: [
          [0, 0],
          [2, 0],
          [1, 3],
          [0, 0],
        ],
      },
    ];

    it.each(cases.map((c) => [describeCase(c), c] as const))('should match the cpu backend for %s', async (_, c) => {
      const expected = await convInputGradient('cpu', c, 7);
      const actual = await convInputGradient('wasm', c, 7);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
    });
  });

  describe('when the convolution is fused (as tf.layers.conv2d runs it)', () => {
    it('should give the input and filter the gradients the cpu backend gives', async () => {
      const run = async (backend: BackendName) => {
        await tf.setBackend(backend);
        return tf.tidy(() => {
          const x = tf.tensor4d(randomValues(3 * 12 * 12 * 2, 5), [3, 12, 12, 2]);
          const filter = tf.tensor4d(randomValues(5 * 5 * 2 * 4, 6), [5, 5, 2, 4]);
          const f = (input: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(tf.fused.conv2d({ x: input as tf.Tensor4D, filter: w as tf.Tensor4D, strides: 1, pad: 'same' })));
          return tf.grads(f)([x, filter]).map((g) => Float32Array.from(g.dataSync()));
        });
      };
      const expected = await run('cpu');
      const actual = await run('wasm');
      actual.forEach((g, i) => expect(maxAbsDiff(g, expected[i])).toBeLessThan(TOLERANCE));
    });
  });
});
