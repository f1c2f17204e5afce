/**
 * Adam with one kernel per variable and step on the CPU backends (wasm, cpu).
 *
 * tfjs's `AdamOptimizer.applyGradients` runs about a dozen element-wise
 * kernels per variable (moments, bias correction, sqrt, division, update),
 * each with its own output allocation and dispatch overhead; for the small
 * networks imdad trains that overhead, not the arithmetic, is most of a step.
 * {@link FusedAdamOptimizer} keeps tfjs's state exactly (the same first and
 * second moment variables in the same slots, `accBeta1`, `accBeta2`, the
 * iteration count), so `getWeights`/`setWeights` and checkpoints work as
 * before, but updates each variable with one `ImdadAdamUpdate` kernel: a
 * loop over the values that reads x, g, m, v and writes x', m', v'.
 *
 * It can also fold an L2 penalty `decay/2 · ||x||^2` into the update (the
 * gradient `decay · x` is added to g), which spares the backward pass of the
 * penalty. On backends without the kernel (tfjs-node) it adds that gradient
 * with ops and runs tfjs's own Adam.
 */
import { tf } from '../tf.js';
import { hasKernels, registerMissingKernels } from '../backend/kernel-registry.js';

/** The kernel's name in the tfjs registry. */
export const ADAM_UPDATE_KERNEL = 'ImdadAdamUpdate';

interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  learningRate: number;
  epsilon: number;
  /** L2 coefficient: `decay · x` is added to the gradient (0: none). */
  decay: number;
}

/** Element-wise Adam step on flat arrays; returns nothing, writes xOut, mOut, vOut. */
function adamStep(
  x: ArrayLike<number>,
  g: ArrayLike<number>,
  m: ArrayLike<number>,
  v: ArrayLike<number>,
  accBeta1: number,
  accBeta2: number,
  attrs: AdamUpdateAttrs,
  xOut: Float32Array,
  mOut: Float32Array,
  vOut: Float32Array,
): void {
  const { beta1, beta2, learningRate, epsilon, decay } = attrs;
  // In float64, rounded once when stored (tfjs rounds after every op; the difference is within float32 noise).
  const oneMinusBeta1 = 1 - beta1;
  const oneMinusBeta2 = 1 - beta2;
  const correction1 = 1 - accBeta1;
  const correction2 = 1 - accBeta2;
  const n = xOut.length;
  for (let i = 0; i < n; i++) {
    const xi = x[i];
    const gi = g[i] + decay * xi;
    const mi = m[i] * beta1 + gi * oneMinusBeta1;
    const vi = v[i] * beta2 + gi * gi * oneMinusBeta2;
    mOut[i] = mi;
    vOut[i] = vi;
    xOut[i] = xi - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
  }
}

type Inputs = { x: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo; accBeta1: tf.TensorInfo; accBeta2: tf.TensorInfo };

function checkInputs(inputs: Inputs): void {
  const { x, g, m, v } = inputs;
  for (const t of [x, g, m, v]) {
    if (t.dtype !== 'float32') throw new Error(`${ADAM_UPDATE_KERNEL}: float32 tensors only, got ${t.dtype}`);
    if (tf.util.sizeFromShape(t.shape) !== tf.util.sizeFromShape(x.shape)) {
      throw new Error(`${ADAM_UPDATE_KERNEL}: x, g, m and v must have the same size`);
    }
  }
}

interface WasmHeapBackend {
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.TypedArray;
}

function adamUpdateWasm(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as WasmHeapBackend;
  const inputs = args.inputs as unknown as Inputs;
  checkInputs(inputs);
  const shape = [...inputs.x.shape];
  const outputs = [backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32'), backend.makeOutput(shape, 'float32')];
  // Heap views only after every allocation (an allocation may grow, and so move, the heap).
  const view = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
  const [xOut, mOut, vOut] = outputs.map(view);
  adamStep(view(inputs.x), view(inputs.g), view(inputs.m), view(inputs.v), view(inputs.accBeta1)[0], view(inputs.accBeta2)[0], args.attrs as unknown as AdamUpdateAttrs, xOut, mOut, vOut);
  return outputs;
}

interface CpuBackend {
  data: { get(dataId: tf.DataId): { values: tf.TypedArray } };
  makeTensorInfo(shape: number[], dtype: tf.DataType, values: tf.TypedArray): tf.TensorInfo;
}

function adamUpdateCpu(args: { inputs: tf.NamedTensorInfoMap; backend: {}; attrs?: tf.NamedAttrMap }): tf.TensorInfo[] {
  const backend = args.backend as CpuBackend;
  const inputs = args.inputs as unknown as Inputs;
  checkInputs(inputs);
  const values = (t: tf.TensorInfo) => backend.data.get(t.dataId).values as Float32Array;
  const size = tf.util.sizeFromShape(inputs.x.shape);
  const [xOut, mOut, vOut] = [new Float32Array(size), new Float32Array(size), new Float32Array(size)];
  adamStep(values(inputs.x), values(inputs.g), values(inputs.m), values(inputs.v), values(inputs.accBeta1)[0], values(inputs.accBeta2)[0], args.attrs as unknown as AdamUpdateAttrs, xOut, mOut, vOut);
  const shape = [...inputs.x.shape];
  return [xOut, mOut, vOut].map((out) => backend.makeTensorInfo(shape, 'float32', out));
}

const KERNELS: readonly tf.KernelConfig[] = [
  { kernelName: ADAM_UPDATE_KERNEL, backendName: 'wasm', kernelFunc: adamUpdateWasm as unknown as tf.KernelFunc },
  { kernelName: ADAM_UPDATE_KERNEL, backendName: 'cpu', kernelFunc: adamUpdateCpu as unknown as tf.KernelFunc },
];

/** Registers the fused Adam kernel for wasm and cpu (idempotent). */
export function registerAdamUpdateKernels(): void {
  registerMissingKernels(KERNELS);
}

/** One variable's gradient, as Optimizer.minimize passes them. */
type NamedGradient = { name: string; tensor: tf.Tensor };

/** The private fields of tfjs's AdamOptimizer this class shares (tfjs 4.x names). */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  incrementIterations(): void;
}

/**
 * tfjs's Adam (same defaults, state and checkpoint format) with one fused
 * kernel per variable on wasm and cpu, and an optional L2 penalty on the
 * variables named in `decayed`, folded into the gradient.
 */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  private readonly decayed: ReadonlySet<string>;

  constructor(
    learningRate: number,
    /** Names of the variables that get the L2 penalty `weightDecay/2 · ||x||^2`. */
    decayed: Iterable<string> = [],
    private readonly weightDecay = 0,
  ) {
    super(learningRate, 0.9, 0.999);
    this.decayed = new Set(decayed);
    registerAdamUpdateKernels();
  }

  /** True when the active backend runs the fused kernel (else tfjs's Adam does the update). */
  static fusedOn(backend = tf.getBackend()): boolean {
    return hasKernels([ADAM_UPDATE_KERNEL], backend);
  }

  override applyGradients(variableGradients: tf.NamedTensorMap | NamedGradient[]): void {
    const list: NamedGradient[] = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({ name, tensor: variableGradients[name] }));
    if (!FusedAdamOptimizer.fusedOn()) {
      this.applyWithOps(list);
      return;
    }
    const state = this as unknown as AdamState;
    const attrs = { beta1: this.beta1, beta2: this.beta2, learningRate: this.learningRate, epsilon: this.epsilon };
    tf.tidy(() => {
      list.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name];
        state.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)) };
        state.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.variable(tf.zerosLike(value), false)) };
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i]!.variable;
        const v = state.accumulatedSecondMoment[i]!.variable;
        const decay = this.decayed.has(name) ? this.weightDecay : 0;
        const [x2, m2, v2] = tf.engine().runKernel(
          ADAM_UPDATE_KERNEL,
          { x: value, g: gradient, m, v, accBeta1: state.accBeta1, accBeta2: state.accBeta2 },
          { ...attrs, decay } as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
        m.assign(m2);
        v.assign(v2);
        value.assign(x2);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    state.incrementIterations();
  }

  /** Backends without the kernel: the penalty's gradient added with ops, then tfjs's Adam. */
  private applyWithOps(list: NamedGradient[]): void {
    if (this.weightDecay === 0 || this.decayed.size === 0) {
      super.applyGradients(list);
      return;
    }
    const withDecay = list.map(({ name, tensor }) => ({
      name,
      tensor: this.decayed.has(name) && tensor != null ? tf.add(tensor, tf.mul(tf.engine().registeredVariables[name], this.weightDecay)) : tensor,
    }));
    try {
      super.applyGradients(withDecay);
    } finally {
      withDecay.forEach((g, i) => g.tensor !== list[i].tensor && g.tensor.dispose());
    }
  }
}
