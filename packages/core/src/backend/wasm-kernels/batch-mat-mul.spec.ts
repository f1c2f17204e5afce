import { describe, expect, it } from 'vitest';
import { maxAbsDiff, randomValues } from '../../testing/fixtures.js';
import { tf } from '../../tf.js';
import { useWasmBackendForThisFile } from './wasm-backend.spec-setup.js';
import { batchMatMulWasmConfig } from './batch-mat-mul.js';
import { registerWasmTrainingKernels } from './index.js';

interface Case {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

async function product(backend: 'cpu' | 'wasm', c: Case): Promise<{ shape: number[]; values: Float32Array }> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const a = tf.tensor(randomValues(tf.util.sizeFromShape(c.a), 1), c.a);
    const b = tf.tensor(randomValues(tf.util.sizeFromShape(c.b), 2), c.b);
    const out = tf.matMul(a, b, c.transposeA, c.transposeB);
    return { shape: out.shape, values: Float32Array.from(out.dataSync()) };
  });
}

useWasmBackendForThisFile();

describe('batchMatMulWasmConfig', () => {
  it('should be the BatchMatMul kernel of the wasm backend once registerWasmTrainingKernels has run, also after a second call', () => {
    registerWasmTrainingKernels();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(batchMatMulWasmConfig.kernelFunc);
  });

  const cases: Case[] = [];
  for (const [transposeA, transposeB] of [
    [false, false],
    [true, false],
    [false, true],
    [true, true],
  ] as const) {
    const [m, k, n] = [7, 5, 3];
    cases.push({ a: transposeA ? [k, m] : [m, k], b: transposeB ? [n, k] : [k, n], transposeA, transposeB });
    cases.push({ a: transposeA ? [4, k, m] : [4, m, k], b: transposeB ? [4, n, k] : [4, k, n], transposeA, transposeB });
    cases.push({ a: transposeA ? [2, 3, k, m] : [2, 3, m, k], b: transposeB ? [1, 3, n, k] : [1, 3, k, n], transposeA, transposeB });
    cases.push({ a: transposeA ? [128, 21] : [21, 128], b: transposeB ? [64, 128] : [128, 64], transposeA, transposeB });
  }

  it.each(cases.map((c) => [`a [${c.a}] b [${c.b}] transposeA ${c.transposeA} transposeB ${c.transposeB}`, c] as const))(
    'should match the cpu backend for %s',
    async (_, c) => {
      const expected = await product('cpu', c);
      const actual = await product('wasm', c);
      expect(actual.shape).toEqual(expected.shape);
      expect(maxAbsDiff(actual.values, expected.values)).toBeLessThan(1e-4);
    },
  );

  it('should leave no intermediate tensors behind', async () => {
    await tf.setBackend('wasm');
    const a = tf.ones([6, 4]);
    const b = tf.ones([6, 5]);
    const before = tf.engine().backend.numDataIds();
    tf.matMul(a, b, true, false).dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    tf.dispose([a, b]);
  });
});
