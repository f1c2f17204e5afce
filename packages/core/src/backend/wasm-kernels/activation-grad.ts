/**
 * `ImdadActivationGrad`: the gradient of a (leaky) ReLU from its output, in one
 * kernel for the wasm and cpu backends: dz = dy · (y > 0 ? 1 : alpha), where
 * y = act(z) and alpha is the slope below 0 (0: ReLU, 1: no activation). tfjs
 * differentiates a leaky ReLU with three kernels (greater, multiply, select).
 * For alpha >= 0, y > 0 exactly where z > 0, so y serves as well as z.
 */
import { tf } from '../../tf.js';

/** The kernel's name in the tfjs registry. */
export const ACTIVATION_GRAD = 'ImdadActivationGrad';

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap };

function compute(dy: Float32Array, y: Float32Array, alpha: number, dz: Float32Array): void {
  const slope = 1 - alpha;
  // Branch-free: the sign of y is random.
  for (let i = 0; i < dz.length; i++) dz[i] = dy[i] * (alpha + slope * +(y[i] > 0));
}

function check(dy: tf.TensorInfo, y: tf.TensorInfo): void {
  if (dy.dtype !== 'float32' || y.dtype !== 'float32') throw new Error(`${ACTIVATION_GRAD}: float32 tensors only`);
  if (tf.util.sizeFromShape(dy.shape) !== tf.util.sizeFromShape(y.shape)) throw new Error(`${ACTIVATION_GRAD}: dy [${dy.shape}] and y [${y.shape}] must have the same size`);
}

function wasmKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray };
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  check(dy, y);
  const out = backend.makeOutput([...dy.shape], 'float32');
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  compute(view(dy), view(y), (args.attrs as { alpha: number }).alpha, view(out));
  return out;
}

function cpuKernel(args: KernelArgs): tf.TensorInfo {
  const backend = args.backend as { data: { get(id: tf.DataId): { values: tf.TypedArray } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): tf.TensorInfo };
  const { dy, y } = args.inputs as { dy: tf.TensorInfo; y: tf.TensorInfo };
  check(dy, y);
  const dz = new Float32Array(tf.util.sizeFromShape(dy.shape));
  const view = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  compute(view(dy), view(y), (args.attrs as { alpha: number }).alpha, dz);
  return backend.makeTensorInfo([...dy.shape], 'float32', dz);
}

/** The kernel for the wasm and cpu backends. */
export const activationGradConfigs: readonly tf.KernelConfig[] = [
  { kernelName: ACTIVATION_GRAD, backendName: 'wasm', kernelFunc: wasmKernel as unknown as tf.KernelFunc },
  { kernelName: ACTIVATION_GRAD, backendName: 'cpu', kernelFunc: cpuKernel as unknown as tf.KernelFunc },
];
