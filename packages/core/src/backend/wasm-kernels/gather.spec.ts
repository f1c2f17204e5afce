import { describe, expect, it } from 'vitest';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { randomValues } from '../../testing/fixtures.js';
import { gatherWasmConfig } from './gather.js';
import { registerWasmTrainingKernels } from './index.js';

interface GatherCase {
  label: string;
  shape: number[];
  dtype?: 'float32' | 'int32';
  indices: number[];
  indicesShape?: number[];
  axis?: number;
  batchDims?: number;
}

async function gatherOn(backend: 'cpu' | 'wasm', c: GatherCase): Promise<{ shape: number[]; values: number[] }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const values = randomValues(tf.util.sizeFromShape(c.shape), 3);
    const x = c.dtype === 'int32' ? tf.tensor(Int32Array.from(values, (v) => Math.round(v * 100)), c.shape, 'int32') : tf.tensor(values, c.shape);
    const indices = tf.tensor(c.indices, c.indicesShape ?? [c.indices.length], 'int32');
    const out = tf.gather(x, indices, c.axis ?? 0, c.batchDims ?? 0);
    return { shape: out.shape, values: Array.from(out.dataSync()) };
  });
}

useWasmBackendForThisFile();

describe('gatherWasmConfig', () => {
  it('should be the GatherV2 kernel of the wasm backend once registerWasmTrainingKernels has run, also after a second call', () => {
    registerWasmTrainingKernels();
    expect(tf.getKernel('GatherV2', 'wasm')?.kernelFunc).toBe(gatherWasmConfig.kernelFunc);
  });

  const cases: GatherCase[] = [
    { label: 'rows of a matrix, repeated and out of order', shape: [10, 7], indices: [3, 0, 9, 3, 3, 5] },
    { label: 'images [n, h, w, c]', shape: [6, 5, 4, 2], indices: [5, 1, 1, 0] },
    { label: 'a vector', shape: [8], indices: [7, 2, 2] },
    { label: 'no indices', shape: [4, 3], indices: [] },
    { label: '2-D indices', shape: [5, 3], indices: [0, 4, 2, 1], indicesShape: [2, 2] },
    { label: 'axis -rank', shape: [5, 3], indices: [1, 2], axis: -2 },
    { label: 'another axis (shipped kernel)', shape: [4, 6, 2], indices: [5, 0, 3], axis: 1 },
    { label: 'int32 data (shipped kernel)', shape: [5, 3], dtype: 'int32', indices: [4, 0] },
    { label: 'batch dims (shipped kernel)', shape: [2, 4, 3], indices: [0, 3, 1, 1], indicesShape: [2, 2], axis: 1, batchDims: 1 },
  ];

  it.each(cases.map((c) => [c.label, c] as const))('should match the cpu backend for %s', async (_, c) => {
    const expected = await gatherOn('cpu', c);
    const actual = await gatherOn('wasm', c);
    expect(actual.shape).toEqual(expected.shape);
    expect(actual.values).toEqual(expected.values);
  });
  // (Gradients through tf.gather with respect to x need UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks; imdad gathers data, never weights.)
});
