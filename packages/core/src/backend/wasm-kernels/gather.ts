/**
 * `GatherV2` along the first axis for the tfjs wasm backend: one block copy
 * per index. The kernel `@tensorflow/tfjs-backend-wasm` 4.22 ships computes
 * every output element's source index separately, which makes picking a
 * mini-batch of 128 MNIST images out of the training set cost about as much
 * as the first convolution. Every other case (another axis, batch dims,
 * non-float32 data) goes to the shipped kernel.
 */
import { tf } from '../../tf.js';

const WASM = 'wasm';

type TensorInfo = tf.TensorInfo;

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): tf.TypedArray;
}

/** The kernel the wasm backend shipped, kept for the cases handled there. */
let shipped: tf.KernelConfig | undefined;

/** Remembers the wasm backend's own kernel before ours replaces it (see registerWasmTrainingKernels). */
export function keepShippedGather(config: tf.KernelConfig | undefined): void {
  if (config && config.kernelFunc !== gatherWasmConfig.kernelFunc) shipped = config;
}

function runShipped(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  if (!shipped) throw new Error('GatherV2 (wasm): this case needs the kernel the wasm backend ships, which is not registered');
  return shipped.kernelFunc(args) as TensorInfo;
}

function gatherWasm(args: Parameters<tf.KernelFunc>[0]): TensorInfo {
  const backend = args.backend as WasmHeapBackend;
  const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
  const { axis, batchDims } = args.attrs as unknown as tf.GatherV2Attrs;
  const rank = x.shape.length;
  const firstAxis = rank > 0 && (axis === 0 || axis === -rank) && !batchDims;
  if (!firstAxis || typeof backend.typedArrayFromHeap !== 'function' || x.dtype !== 'float32' || indices.dtype !== 'int32') return runShipped(args);
  const rows = x.shape[0];
  const block = tf.util.sizeFromShape(x.shape.slice(1));
  const index = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let i = 0; i < index.length; i++) if (!(index[i] >= 0 && index[i] < rows)) return runShipped(args);
  const out = backend.makeOutput([...indices.shape, ...x.shape.slice(1)], 'float32');
  // Views after the allocation, which may have grown (moved) the heap.
  const source = backend.typedArrayFromHeap(x) as Float32Array;
  const target = backend.typedArrayFromHeap(out) as Float32Array;
  const picked = backend.typedArrayFromHeap(indices) as Int32Array;
  for (let i = 0; i < picked.length; i++) target.set(source.subarray(picked[i] * block, (picked[i] + 1) * block), i * block);
  return out;
}

/** `GatherV2` for the wasm backend: block copies along the first axis. */
export const gatherWasmConfig: tf.KernelConfig = {
  kernelName: tf.GatherV2,
  backendName: WASM,
  kernelFunc: gatherWasm,
  setupFunc: (backend) => shipped?.setupFunc?.(backend),
};
