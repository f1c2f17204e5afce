/**
 * The max-margin heads' objective as one kernel (wasm and cpu backends).
 *
 * With tfjs ops, the objective of a 128-row batch (the score
 * `||phi||^2 + w.phi + b`, target masks, two masked means of a softplus or
 * hinge, the volume term) and its gradient are about 135 kernels over tiny
 * tensors: for the MLP, more than half of a training step was their dispatch
 * overhead. `ImdadSphereLoss` computes the loss and its gradient with respect
 * to phi, w and b in one loop; the op's backward pass only scales that
 * gradient by the incoming dy.
 *
 * Same definitions as the op path of MaxMarginHeadModel.loss:
 *   loss = volume · regularization / trainingRows
 *        + normalWeight · mean over unlabeled rows (target <= 0) of P(f)
 *        + anomalyWeight · mean over labeled anomalies (target > 0) of Q(f)
 * (a mean over no rows is 0), with P(f) = softplus(f), Q(f) = softplus(−f)
 * for `logistic`, and P(f) = H(f + 1), Q(f) = H(1 − f) for the hinge heads
 * (H(u) = max(0, u), or the Huberised hinge), volume = relu(||w||^2/4 − b),
 * or ||w||^2/2 for `svm`. Gradients at kinks follow tfjs (relu'(0) = 0,
 * clip' = 1 on the closed interval).
 */
import { tf } from '../tf.js';
import { hasKernels, registerMissingKernels } from '../backend/kernel-registry.js';

/** The kernel's name in the tfjs registry. */
export const SPHERE_LOSS_KERNEL = 'ImdadSphereLoss';

/** How the kernel reads the objective; numbers, as kernel attributes are. */
export interface SphereLossAttrs {
  /** 0: logistic (softplus), 1: hard hinge, 2: smooth (Huberised) hinge. */
  penalty: 0 | 1 | 2;
  /** 0: relu(R^2) = relu(||w||^2/4 − b); 1: ||w||^2/2 (svm). */
  volume: 0 | 1;
  /** regularization / trainingRows. */
  volumeWeight: number;
  normalWeight: number;
  anomalyWeight: number;
}

/** tfjs's softplus, in float64. */
function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

function sigmoid(x: number): number {
  return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
}

/** Penalty and its derivative at u: hinge variants. */
function hinge(u: number, smooth: boolean): [number, number] {
  if (!smooth) return u > 0 ? [u, 1] : [0, 0];
  if (u < 0) return [0, 0];
  if (u <= 1) return [0.5 * u * u, u];
  return [u - 0.5, 1];
}

/** Loss and gradient for flat arrays: phi [rows, d], w [d], b, target [rows]. */
export function sphereLossAndGradient(
  phi: ArrayLike<number>,
  w: ArrayLike<number>,
  b: number,
  target: ArrayLike<number>,
  attrs: SphereLossAttrs,
  dPhi: Float32Array,
  dW: Float32Array,
): { loss: number; dB: number } {
  const d = w.length;
  const rows = target.length;
  let anomalies = 0;
  for (let i = 0; i < rows; i++) if (target[i] > 0) anomalies++;
  const normalScale = attrs.normalWeight / Math.max(rows - anomalies, 1);
  const anomalyScale = attrs.anomalyWeight / Math.max(anomalies, 1);
  const dWAcc = new Float64Array(d);
  let loss = 0;
  let dB = 0;
  for (let i = 0; i < rows; i++) {
    const row = i * d;
    let f = b;
    for (let k = 0; k < d; k++) {
      const p = phi[row + k];
      f += p * p + p * w[k];
    }
    const anomaly = target[i] > 0;
    let value: number;
    let slope: number;
    if (attrs.penalty === 0) {
      value = anomaly ? softplus(-f) : softplus(f);
      slope = anomaly ? -sigmoid(-f) : sigmoid(f);
    } else {
      const [h, dh] = hinge(anomaly ? 1 - f : f + 1, attrs.penalty === 2);
      value = h;
      slope = anomaly ? -dh : dh;
    }
    const scale = anomaly ? anomalyScale : normalScale;
    loss += scale * value;
    const g = scale * slope; // dL/df_i
    dB += g;
    for (let k = 0; k < d; k++) {
      const p = phi[row + k];
      dPhi[row + k] = g * (2 * p + w[k]);
      dWAcc[k] += g * p;
    }
  }
  let w2 = 0;
  for (let k = 0; k < d; k++) w2 += w[k] * w[k];
  if (attrs.volume === 1) {
    loss += attrs.volumeWeight * 0.5 * w2;
    for (let k = 0; k < d; k++) dWAcc[k] += attrs.volumeWeight * w[k];
  } else {
    const radius2 = w2 / 4 - b;
    if (radius2 > 0) {
      loss += attrs.volumeWeight * radius2;
      for (let k = 0; k < d; k++) dWAcc[k] += (attrs.volumeWeight * w[k]) / 2;
      dB -= attrs.volumeWeight;
    }
  }
  dW.set(dWAcc);
  return { loss, dB };
}

type Inputs = { phi: tf.TensorInfo; w: tf.TensorInfo; b: tf.TensorInfo; target: tf.TensorInfo };
type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap };

function check(inputs: Inputs): void {
  const { phi, w, b, target } = inputs;
  if (phi.shape.length !== 2 || w.shape.length !== 1 || phi.shape[1] !== w.shape[0] || target.shape.length !== 1 || target.shape[0] !== phi.shape[0] || tf.util.sizeFromShape(b.shape) !== 1) {
    throw new Error(`${SPHERE_LOSS_KERNEL}: expected phi [n, d], w [d], b [], target [n]; got [${phi.shape}], [${w.shape}], [${b.shape}], [${target.shape}]`);
  }
  for (const t of [phi, w, b, target]) if (t.dtype !== 'float32') throw new Error(`${SPHERE_LOSS_KERNEL}: float32 inputs only, got ${t.dtype}`);
}

/** Outputs [loss, dPhi, dW, dB]: the loss and its gradient for dy = 1. */
function run(args: KernelArgs, alloc: (shape: number[]) => tf.TensorInfo, view: (t: tf.TensorInfo) => Float32Array): tf.TensorInfo[] {
  const inputs = args.inputs as unknown as Inputs;
  check(inputs);
  const outputs = [alloc([]), alloc([...inputs.phi.shape]), alloc([...inputs.w.shape]), alloc([])];
  const [loss, dPhi, dW, dB] = outputs.map(view);
  const result = sphereLossAndGradient(view(inputs.phi), view(inputs.w), view(inputs.b)[0], view(inputs.target), args.attrs as unknown as SphereLossAttrs, dPhi, dW);
  loss[0] = result.loss;
  dB[0] = result.dB;
  return outputs;
}

function sphereLossWasm(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as { makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo; typedArrayFromHeap(t: tf.TensorInfo): tf.TypedArray };
  // Views are taken after every allocation (an allocation may move the wasm heap).
  return run(args, (shape) => backend.makeOutput(shape, 'float32'), (t) => backend.typedArrayFromHeap(t) as Float32Array);
}

function sphereLossCpu(args: KernelArgs): tf.TensorInfo[] {
  const backend = args.backend as { data: { get(id: tf.DataId): { values: tf.TypedArray } }; makeTensorInfo(shape: number[], dtype: tf.DataType, values?: tf.TypedArray): tf.TensorInfo };
  return run(
    args,
    (shape) => backend.makeTensorInfo(shape, 'float32', new Float32Array(tf.util.sizeFromShape(shape))),
    (t) => backend.data.get(t.dataId).values as Float32Array,
  );
}

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: SPHERE_LOSS_KERNEL, backendName: 'wasm', kernelFunc: sphereLossWasm as unknown as tf.KernelFunc },
  { kernelName: SPHERE_LOSS_KERNEL, backendName: 'cpu', kernelFunc: sphereLossCpu as unknown as tf.KernelFunc },
];

/** Registers the kernel for wasm and cpu (idempotent). */
export function registerSphereLossKernels(): void {
  registerMissingKernels(KERNELS);
}

/** True when the active backend has the kernel. */
export function sphereLossFused(): boolean {
  return hasKernels([SPHERE_LOSS_KERNEL]);
}

/** The objective as one op: a scalar, differentiable in phi, w and b (not in target). */
export function fusedSphereLoss(phi: tf.Tensor2D, w: tf.Tensor1D, b: tf.Scalar, target: tf.Tensor1D, attrs: SphereLossAttrs): tf.Scalar {
  const op = tf.customGrad(((phiIn: tf.Tensor, wIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const [loss, dPhi, dW, dB] = tf.engine().runKernel(SPHERE_LOSS_KERNEL, { phi: phiIn, w: wIn, b: bIn, target }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor[];
    save([dPhi, dW, dB]);
    return {
      value: loss,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => saved.map((g) => tf.mul(g, dy)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(phi, w, b) as tf.Scalar;
}
