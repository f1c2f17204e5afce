/**
 * Batch norm (no scale) followed by a leaky ReLU, as one kernel forward and
 * one backward, for the wasm and cpu backends.
 *
 * Written with tfjs ops, batch norm + leaky ReLU over a LeNet feature map is
 * about twenty element-wise kernels per training step (moments, centring,
 * scaling, the activation, and the gradients of each, with masks, selects and
 * broadcast sums), each a full pass over the map with its own allocation;
 * together they were close to half of a LeNet step on wasm. These kernels make
 * two passes forward and two backward.
 *
 * `ImdadBatchNormActivation`: inputs `x` (channels last), optional `beta` [C],
 * and in inference mode `mean` and `variance` [C]; attrs `epsilon`, `alpha`
 * (the slope for z <= 0: 0 is ReLU, 1 no activation).
 *   y = act((x − mean) / sqrt(variance + epsilon) + beta)
 * Without `mean`/`variance` it normalises by the batch statistics (over every
 * axis but the last; biased variance, as tf.moments) and outputs
 * [y, mean, variance, invStd]; with them, [y].
 *
 * `ImdadBatchNormActivationGrad`: inputs `dy`, `x`, `mean`, `invStd`, optional
 * `beta`; attr `alpha`; outputs [dx, dbeta]: the full batch-norm gradient
 * (through the batch mean and variance), xhat = (x − mean)·invStd,
 *   dz = dy · (z > 0 ? 1 : alpha),  dbeta = Σ dz,
 *   dx = invStd · (dz − Σdz/N − xhat · Σ(dz·xhat)/N).
 * Sums are accumulated in float64.
 */
import { tf } from '../../tf.js';

/** Kernel names in the tfjs registry. */
export const BATCH_NORM_ACTIVATION = 'ImdadBatchNormActivation';
export const BATCH_NORM_ACTIVATION_GRAD = 'ImdadBatchNormActivationGrad';

type TensorInfo = tf.TensorInfo;

/** What the two kernels need from a backend: allocate outputs, view tensors' values. */
interface Memory {
  alloc(shape: number[]): TensorInfo;
  /** A view of the values; call after the allocations (wasm: an allocation may move the heap). */
  view(t: TensorInfo): Float32Array;
}

function wasmMemory(backend: {}): Memory {
  const wasm = backend as { makeOutput(shape: number[], dtype: tf.DataType): TensorInfo; typedArrayFromHeap(t: TensorInfo): tf.TypedArray };
  return { alloc: (shape) => wasm.makeOutput(shape, 'float32'), view: (t) => wasm.typedArrayFromHeap(t) as Float32Array };
}

function cpuMemory(backend: {}): Memory {
  const cpu = backend as { data: { get(id: tf.DataId): { values: tf.TypedArray } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): TensorInfo };
  return {
    alloc: (shape) => cpu.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
    view: (t) => cpu.data.get(t.dataId).values as Float32Array,
  };
}

function fail(kernel: string, message: string): never {
  throw new Error(`${kernel}: ${message}`);
}

function checkChannels(kernel: string, x: TensorInfo, ...perChannel: (TensorInfo | undefined)[]): number {
  if (x.shape.length < 2) fail(kernel, `x must have rank 2 or more, got shape [${x.shape}]`);
  if (x.dtype !== 'float32') fail(kernel, `x must be float32, got ${x.dtype}`);
  const channels = x.shape[x.shape.length - 1];
  for (const t of perChannel) {
    if (t && tf.util.sizeFromShape(t.shape) !== channels) fail(kernel, `per-channel inputs must have ${channels} values, got shape [${t.shape}]`);
  }
  return channels;
}

function forward(memory: Memory, args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): TensorInfo[] {
  const { x, beta, mean, variance } = args.inputs as { x: TensorInfo; beta?: TensorInfo; mean?: TensorInfo; variance?: TensorInfo };
  const { epsilon, alpha } = args.attrs as unknown as { epsilon: number; alpha: number };
  const channels = checkChannels(BATCH_NORM_ACTIVATION, x, beta, mean, variance);
  const size = tf.util.sizeFromShape(x.shape);
  const training = mean === undefined || variance === undefined;
  const out = memory.alloc([...x.shape]);
  const stats = training ? [memory.alloc([channels]), memory.alloc([channels]), memory.alloc([channels])] : [];
  const xs = memory.view(x);
  const ys = memory.view(out);
  const shift = beta ? memory.view(beta) : undefined;
  const mu = new Float64Array(channels);
  const inv = new Float64Array(channels);
  if (training) {
    const [meanOut, varianceOut, invOut] = stats.map((t) => memory.view(t));
    channelMoments(xs, channels, mu, inv);
    for (let c = 0; c < channels; c++) {
      const v = Math.max(0, inv[c] - mu[c] * mu[c]);
      inv[c] = 1 / Math.sqrt(v + epsilon);
      meanOut[c] = mu[c];
      varianceOut[c] = v;
      invOut[c] = inv[c];
    }
  } else {
    const m = memory.view(mean!);
    const v = memory.view(variance!);
    for (let c = 0; c < channels; c++) {
      mu[c] = m[c];
      inv[c] = 1 / Math.sqrt(v[c] + epsilon);
    }
  }
  const offset = new Float64Array(channels);
  if (shift) offset.set(shift);
  for (let c = 0; c < channels; c++) {
    const m = mu[c];
    const s = inv[c];
    const b = offset[c];
    // Branch-free: the sign of z is random, and a mispredicted branch per value costs more than the arithmetic.
    for (let i = c; i < size; i += channels) {
      const z = (xs[i] - m) * s + b;
      ys[i] = z * (alpha + (1 - alpha) * +(z > 0));
    }
  }
  return [out, ...stats];
}

function backward(memory: Memory, args: { inputs: tf.NamedTensorInfoMap; attrs?: tf.NamedAttrMap }): TensorInfo[] {
  const { dy, x, mean, invStd, beta } = args.inputs as { dy: TensorInfo; x: TensorInfo; mean: TensorInfo; invStd: TensorInfo; beta?: TensorInfo };
  const { alpha } = args.attrs as unknown as { alpha: number };
  const channels = checkChannels(BATCH_NORM_ACTIVATION_GRAD, x, mean, invStd, beta);
  if (tf.util.sizeFromShape(dy.shape) !== tf.util.sizeFromShape(x.shape)) fail(BATCH_NORM_ACTIVATION_GRAD, 'dy and x must have the same shape');
  const size = tf.util.sizeFromShape(x.shape);
  const rows = size / channels;
  const dxInfo = memory.alloc([...x.shape]);
  const dbetaInfo = memory.alloc([channels]);
  const dys = memory.view(dy);
  const xs = memory.view(x);
  const mu = memory.view(mean);
  const inv = memory.view(invStd);
  const shift = beta ? memory.view(beta) : undefined;
  const dx = memory.view(dxInfo);
  const dbeta = memory.view(dbetaInfo);
  const offset = new Float64Array(channels);
  if (shift) offset.set(shift);
  const slope = 1 - alpha;
  for (let c = 0; c < channels; c++) {
    const m = mu[c];
    const s = inv[c];
    const b = offset[c];
    let sumDz = 0;
    let sumDzXhat = 0;
    for (let i = c; i < size; i += channels) {
      const xhat = (xs[i] - m) * s;
      const dz = dys[i] * (alpha + slope * +(xhat + b > 0));
      sumDz += dz;
      sumDzXhat += dz * xhat;
    }
    dbeta[c] = sumDz;
    const meanDz = sumDz / rows;
    const meanDzXhat = sumDzXhat / rows;
    for (let i = c; i < size; i += channels) {
      const xhat = (xs[i] - m) * s;
      const dz = dys[i] * (alpha + slope * +(xhat + b > 0));
      dx[i] = s * (dz - meanDz - xhat * meanDzXhat);
    }
  }
  return [dxInfo, dbetaInfo];
}

/**
 * Per channel: the mean into `mean`, the mean of squares into `meanSquare`.
 * Channel by channel with a stride (sums in registers), which beats one pass
 * with per-channel accumulators in memory for the few channels of imdad's nets.
 */
function channelMoments(xs: Float32Array, channels: number, mean: Float64Array, meanSquare: Float64Array): void {
  const rows = xs.length / channels;
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    let squares = 0;
    for (let i = c; i < xs.length; i += channels) {
      const v = xs[i];
      sum += v;
      squares += v * v;
    }
    mean[c] = sum / rows;
    meanSquare[c] = squares / rows;
  }
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap };

/** The forward and backward kernels for the wasm and cpu backends. */
export const batchNormActivationConfigs: readonly tf.KernelConfig[] = [
  { kernelName: BATCH_NORM_ACTIVATION, backendName: 'wasm', kernelFunc: ((a: KernelArgs) => forward(wasmMemory(a.backend), a)) as unknown as tf.KernelFunc },
  { kernelName: BATCH_NORM_ACTIVATION_GRAD, backendName: 'wasm', kernelFunc: ((a: KernelArgs) => backward(wasmMemory(a.backend), a)) as unknown as tf.KernelFunc },
  { kernelName: BATCH_NORM_ACTIVATION, backendName: 'cpu', kernelFunc: ((a: KernelArgs) => forward(cpuMemory(a.backend), a)) as unknown as tf.KernelFunc },
  { kernelName: BATCH_NORM_ACTIVATION_GRAD, backendName: 'cpu', kernelFunc: ((a: KernelArgs) => backward(cpuMemory(a.backend), a)) as unknown as tf.KernelFunc },
];
