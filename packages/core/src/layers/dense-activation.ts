import { ACTIVATION_GRAD } from '../backend/wasm-kernels/activation-grad.js';
import { tf } from '../tf.js';
import { hasKernels } from '../backend/kernel-registry.js';

/**
 * A dense layer with a (leaky) ReLU or no activation, as one op: the weights
 * of `tf.layers.dense` (kernel `[in, units]`, then the bias if any, same
 * initialisers) and its arithmetic, but one fused matmul + bias + activation
 * kernel forward and four kernels backward (activation gradient, two matmuls,
 * the bias sum) where `tf.layers.dense` + an activation layer dispatch about
 * twenty, most of a small MLP's training step on wasm. `alpha` is the slope
 * below 0: 0.1 leaky ReLU, 0 ReLU, 1 none. Backends without the activation
 * gradient kernel (tfjs-node) run plain tfjs ops.
 */
export class DenseActivation extends tf.layers.Layer {
  /** The layer class name tfjs uses in serialised models (`getClassName`). */
  static readonly className = 'ImdadDenseActivation';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly config: { units: number; alpha: number; useBias: boolean; kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>; name?: string }) {
    super({ name: config.name });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputs = shape[shape.length - 1];
    if (typeof inputs !== 'number') throw new Error(`${this.name}: the last axis needs a known size`);
    this.kernel = this.addWeight('kernel', [inputs, this.config.units], 'float32', this.config.kernelInitializer);
    if (this.config.useBias) this.bias = this.addWeight('bias', [this.config.units], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.config.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D;
      const kernel = this.kernel!.read() as tf.Tensor2D;
      const bias = this.bias?.read() as tf.Tensor1D | undefined;
      const { alpha } = this.config;
      if (!hasKernels([ACTIVATION_GRAD]) || x.rank !== 2) {
        const z = bias ? tf.add(tf.matMul(x, kernel), bias) : tf.matMul(x, kernel);
        return alpha === 1 ? z : alpha === 0 ? tf.relu(z) : tf.leakyRelu(z, alpha);
      }
      const forward = (a: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D => {
        const [rows, width] = a.shape;
        const attrs = { transposeA: false, transposeB: false, activation: alpha === 1 ? 'linear' : alpha === 0 ? 'relu' : 'leakyrelu', leakyreluAlpha: alpha };
        const a3 = tf.reshape(a, [1, rows, width]);
        const w3 = tf.reshape(w, [1, ...w.shape]);
        const y = tf.engine().runKernel('_FusedMatMul', { a: a3, b: w3, ...(b ? { bias: b } : {}) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
        return tf.reshape(y, [rows, this.config.units]);
      };
      const op = tf.customGrad(((...args: unknown[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        const [a, w, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D | undefined];
        const y = forward(a, w, b);
        save([a, w, y]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
            const [savedA, savedW, savedY] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
            const dz = alpha === 1 ? (dy as tf.Tensor2D) : (tf.engine().runKernel(ACTIVATION_GRAD, { dy: dy as tf.Tensor, y: savedY }, { alpha }) as tf.Tensor2D);
            const grads: tf.Tensor[] = [tf.matMul(dz, savedW, false, true), tf.matMul(savedA, dz, true, false)];
            if (b) grads.push(tf.sum(dz, 0));
            return grads;
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      return bias ? op(x, kernel, bias) : op(x, kernel);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { units, alpha, useBias } = this.config;
    return { ...super.getConfig(), units, alpha, useBias };
  }
}
