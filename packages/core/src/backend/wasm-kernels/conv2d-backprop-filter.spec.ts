import { describe, expect, it, vi } from 'vitest';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { conv2dBackpropFilterWasmConfig } from './conv2d-backprop-filter.js';
import { registerWasmTrainingKernels } from './index.js';
import { maxAbsDiff, randomValues } from '../../testing/fixtures.js';

type BackendName = 'cpu' | 'wasm';
type Shape4 = [number, number, number, number];
type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
type Pad = 'same' | 'valid' | number | ExplicitPadding;

interface ConvCase {
  xShape: Shape4;
  filterShape: Shape4;
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const TOLERANCE = 1e-3;


function dyShape(c: ConvCase): Shape4 {
  const info = tf.backend_util.computeConv2DInfo(c.xShape, c.filterShape, c.strides, 1, c.pad, c.dimRoundingMode);
  return info.outShape as Shape4;
}

function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? JSON.stringify(c.pad) : c.pad;
  const rounding = c.dimRoundingMode ? ` ${c.dimRoundingMode}` : '';
  return `x [${c.xShape}] filter [${c.filterShape}] strides ${c.strides} pad ${pad}${rounding}`;
}

/** d(sum(conv2d(x, filter) * dy)) / d(filter), via the gradient of tf.conv2d. */
async function convFilterGradient(backend: BackendName, c: ConvCase, seed: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.xShape), seed), c.xShape);
    const filter = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.filterShape), seed + 1), c.filterShape);
    const outShape = dyShape(c);
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), seed + 2), outShape);
    const gradient = tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad))(filter, dy);
    return Float32Array.from(gradient.dataSync());
  });
}

/** The Conv2DBackpropFilter kernel run directly (for attributes tf.conv2d's gradient does not pass). */
async function kernelFilterGradient(backend: BackendName, c: ConvCase, seed: number): Promise<Float32Array> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(randomValues(tf.util.sizeFromShape(c.xShape), seed), c.xShape);
    const outShape = dyShape(c);
    const dy = tf.tensor4d(randomValues(tf.util.sizeFromShape(outShape), seed + 2), outShape);
    const attrs = {
      strides: c.strides,
      pad: c.pad,
      dataFormat: 'NHWC',
      filterShape: c.filterShape,
      ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}),
    };
    const gradient = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs) as tf.Tensor;
    return Float32Array.from(gradient.dataSync());
  });
}

/** conv + batch norm + leaky ReLU + residual add + max pooling + strided conv + global average pooling + dense. */
function buildCnn(): tf.LayersModel {
  let seed = 11;
  const init = () => tf.initializers.glorotUniform({ seed: seed++ });
  const input = tf.input({ shape: [9, 9, 2] });
  const conv = (filters: number, strides = 1) =>
    tf.layers.conv2d({ filters, kernelSize: 3, strides, padding: 'same', kernelInitializer: init() });
  let h = conv(4).apply(input) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization().apply(h) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  const residual = tf.layers.batchNormalization().apply(conv(4).apply(h)) as tf.SymbolicTensor;
  h = tf.layers.add().apply([h, residual]) as tf.SymbolicTensor;
  h = tf.layers.leakyReLU({ alpha: 0.1 }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor;
  h = conv(6, 2).apply(h) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(h) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const features = tf.layers.concatenate().apply([pooled, flat]) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 3, kernelInitializer: init() }).apply(features) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits });
}

function cnnBatch(): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const xs = tf.tensor4d(randomValues(8 * 9 * 9 * 2, 99), [8, 9, 9, 2]);
  const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3).toFloat() as tf.Tensor2D;
  return { xs, ys };
}

/** The gradient of the loss for every trainable weight of a freshly built CNN, in weight order. */
async function cnnGradients(backend: BackendName): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const model = buildCnn();
  const { xs, ys } = cnnBatch();
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
    variables,
  );
  const result = variables.map((v) => Float32Array.from(grads[v.name].dataSync()));
  tf.dispose([value, xs, ys, ...Object.values(grads)]);
  model.dispose();
  return result;
}

useWasmBackendForThisFile();

describe('conv2dBackpropFilterWasmConfig', () => {
  describe('when registerWasmTrainingKernels has run', () => {
    it('should be the Conv2DBackpropFilter kernel of the wasm backend', () => {
      expect(conv2dBackpropFilterWasmConfig.kernelName).toBe('Conv2DBackpropFilter');
      expect(conv2dBackpropFilterWasmConfig.backendName).toBe('wasm');
      expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterWasmConfig.kernelFunc);
    });

    it('should register nothing twice when called again', () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      try {
        registerWasmTrainingKernels();
        expect(warn).not.toHaveBeenCalled();
        expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')?.kernelFunc).toBe(conv2dBackpropFilterWasmConfig.kernelFunc);
      } finally {
        warn.mockRestore();
      }
    });
  });

  describe('when differentiating tf.conv2d with respect to its filter', () => {
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
      const expected = await convFilterGradient('cpu', c, 1);
      const actual = await convFilterGradient('wasm', c, 1);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
    });
  });

  describe('when the strides, padding or batch are unusual', () => {
    const cases: ConvCase[] = [
      // 'valid' with a stride that leaves trailing rows / columns unread
      { xShape: [2, 8, 9, 2], filterShape: [3, 3, 2, 3], strides: 2, pad: 'valid' },
      { xShape: [2, 8, 10, 2], filterShape: [5, 5, 2, 3], strides: 2, pad: 'valid' },
      { xShape: [3, 11, 7, 2], filterShape: [3, 2, 2, 4], strides: [3, 2], pad: 'same' },
      { xShape: [2, 9, 8, 3], filterShape: [1, 1, 3, 5], strides: 2, pad: 'valid' },
      { xShape: [1, 7, 9, 3], filterShape: [3, 3, 3, 2], strides: 1, pad: 'same' },
      { xShape: [6, 7, 9, 2], filterShape: [3, 3, 2, 2], strides: 2, pad: 'same' },
      { xShape: [1, 7, 9, 1], filterShape: [5, 5, 1, 1], strides: 2, pad: 'same' },
      { xShape: [2, 7, 9, 3], filterShape: [3, 3, 3, 4], strides: 2, pad: 1 },
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
      const expected = await convFilterGradient('cpu', c, 7);
      const actual = await convFilterGradient('wasm', c, 7);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
    });
  });

  describe('when the kernel is given a dimRoundingMode', () => {
    const cases: ConvCase[] = (['floor', 'round', 'ceil'] as const).map((dimRoundingMode) => ({
      xShape: [2, 8, 10, 2],
      filterShape: [3, 3, 2, 3],
      strides: 2,
      pad: 1,
      dimRoundingMode,
    }));

    it.each(cases.map((c) => [describeCase(c), c] as const))('should match the cpu backend for %s', async (_, c) => {
      const expected = await kernelFilterGradient('cpu', c, 3);
      const actual = await kernelFilterGradient('wasm', c, 3);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(TOLERANCE);
    });
  });

  describe('when given attributes it does not support', () => {
    const run = (attrs: Record<string, unknown>) =>
      tf.tidy(() => {
        const x = tf.ones([1, 5, 5, 2]);
        const dy = tf.ones([1, 5, 5, 3]);
        tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, {
          strides: 1,
          pad: 'same',
          dataFormat: 'NHWC',
          filterShape: [3, 3, 2, 3],
          ...attrs,
        } as tf.NamedAttrMap);
      });

    it('should reject the NCHW data format with a clear error', async () => {
      await tf.setBackend('wasm');
      expect(() => run({ dataFormat: 'NCHW' })).toThrow(/dataFormat 'NHWC'/);
    });

    it('should reject dilations other than 1 with a clear error', async () => {
      await tf.setBackend('wasm');
      expect(() => run({ dilations: [2, 2] })).toThrow(/dilations of 1/);
    });

    it('should reject a dy that does not match the convolution', async () => {
      await tf.setBackend('wasm');
      expect(() => run({ strides: 2 })).toThrow(/dy has shape/);
    });
  });

  describe('when training a small CNN on wasm', () => {
    it('should give every weight the gradient the cpu backend gives', async () => {
      const expected = await cnnGradients('cpu');
      const actual = await cnnGradients('wasm');
      expect(actual).toHaveLength(expected.length);
      actual.forEach((gradient, i) => expect(maxAbsDiff(gradient, expected[i])).toBeLessThan(TOLERANCE));
    });

    it('should lower the loss over a few Adam steps', async () => {
      await tf.setBackend('wasm');
      const model = buildCnn();
      const { xs, ys } = cnnBatch();
      const optimizer = tf.train.adam(0.01);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const loss = optimizer.minimize(
          () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar,
          true,
        );
        losses.push(loss!.dataSync()[0]);
        loss!.dispose();
      }
      tf.dispose([xs, ys]);
      optimizer.dispose();
      model.dispose();
      expect(losses.every(Number.isFinite)).toBe(true);
      expect(losses[losses.length - 1]).toBeLessThan(losses[0] * 0.8);
    });
  });

  describe('when a filter gradient is computed again once warm', () => {
    it('should leave no tensors and no wasm buffers behind', async () => {
      await tf.setBackend('wasm');
      const cases: ConvCase[] = [
        { xShape: [2, 7, 9, 3], filterShape: [3, 3, 3, 4], strides: 1, pad: 'same' },
        { xShape: [2, 8, 10, 2], filterShape: [5, 5, 2, 3], strides: 2, pad: 'valid' },
        { xShape: [1, 7, 9, 1], filterShape: [1, 1, 1, 2], strides: 2, pad: 'valid' },
      ];
      const step = () => {
        for (const c of cases) {
          tf.tidy(() => {
            const x = tf.ones(c.xShape) as tf.Tensor4D;
            const filter = tf.ones(c.filterShape) as tf.Tensor4D;
            const dy = tf.ones(dyShape(c));
            tf.grad((f: tf.Tensor) => tf.conv2d(x, f as tf.Tensor4D, c.strides, c.pad))(filter, dy).dataSync();
          });
        }
      };
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
