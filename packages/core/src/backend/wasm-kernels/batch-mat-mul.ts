/**
 * `BatchMatMul` with `transposeA` / `transposeB` for the tfjs wasm backend:
 * the operand is transposed first (the wasm Transpose kernel), then the
 * shipped kernel multiplies without transposes. The shipped kernel reaches
 * XNNPACK only without transposes; with one it runs a scalar loop that was
 * 5-15x slower than transpose + multiply here, and every dense layer's
 * gradient (tfjs differentiates `a·b` with `dy·bᵀ` and `aᵀ·dy`) takes that
 * path. Multiplications without transposes go straight to the shipped kernel.
 */
import { tf } from '../../tf.js';

const WASM = 'wasm';

type TensorInfo = tf.TensorInfo;

/** The kernel the wasm backend shipped, which does the multiplications. */
let shipped: tf.KernelConfig | undefined;

/** Remembers the wasm backend's own kernel before ours replaces it (see registerWasmTrainingKernels). */
export function keepShippedBatchMatMul(config: tf.KernelConfig | undefined): void {
  if (config && config.kernelFunc !== batchMatMulWasmConfig.kernelFunc) shipped = config;
}

function runShipped(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  if (!shipped) throw new Error('BatchMatMul (wasm): the kernel the wasm backend ships is not registered');
  return shipped.kernelFunc(args) as TensorInfo;
}

/** Swaps the last two axes of `t` with the wasm Transpose kernel. */
function transposeInner(t: TensorInfo, backend: tf.KernelBackend): TensorInfo {
  const transpose = tf.getKernel('Transpose', WASM);
  if (transpose === undefined) throw new Error("BatchMatMul (wasm): the wasm backend has no 'Transpose' kernel");
  const rank = t.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, axis) => axis), rank - 1, rank - 2];
  return transpose.kernelFunc({ inputs: { x: t }, backend, attrs: { perm } }) as TensorInfo;
}

function batchMatMulWasm(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const { a, b } = args.inputs as { a: TensorInfo; b: TensorInfo };
  const { transposeA, transposeB } = args.attrs as unknown as tf.BatchMatMulAttrs;
  if ((!transposeA && !transposeB) || a.shape.length < 2 || b.shape.length < 2 || a.dtype !== 'float32' || b.dtype !== 'float32') return runShipped(args);
  const backend = args.backend as tf.KernelBackend;
  const intermediates: TensorInfo[] = [];
  try {
    const left = transposeA ? transposeInner(a, backend) : a;
    if (transposeA) intermediates.push(left);
    const right = transposeB ? transposeInner(b, backend) : b;
    if (transposeB) intermediates.push(right);
    return runShipped({ ...args, inputs: { a: left, b: right }, attrs: { ...args.attrs, transposeA: false, transposeB: false } });
  } finally {
    for (const t of intermediates) backend.disposeData(t.dataId);
  }
}

/** `BatchMatMul` for the wasm backend: explicit transposes, then XNNPACK. */
export const batchMatMulWasmConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: WASM,
  kernelFunc: batchMatMulWasm,
  setupFunc: (backend) => shipped?.setupFunc?.(backend),
};
