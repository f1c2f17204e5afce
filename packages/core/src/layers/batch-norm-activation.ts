import { ACTIVATION_GRAD } from '../backend/wasm-kernels/activation-grad.js';
import { BATCH_NORM_ACTIVATION, BATCH_NORM_ACTIVATION_GRAD } from '../backend/wasm-kernels/batch-norm-activation.js';
import { tf } from '../tf.js';
import { hasKernels } from '../backend/kernel-registry.js';
import { BATCH_NORM_EPSILON, BatchNorm } from './batch-norm.js';

/**
 * Core's `BatchNorm` (no scale; a shift when `center`) followed by a leaky
 * ReLU of slope `alpha` below 0 (0: ReLU, 1: none), as one layer with the same weights in the same order (beta if any,
 * moving mean, moving variance) and the same arithmetic. Where the fused
 * kernels are registered (wasm, cpu) it runs one kernel forward and one
 * backward instead of about twenty element-wise ones; elsewhere, tfjs ops.
 */
export class BatchNormActivation extends BatchNorm {
  /** The layer class name tfjs uses in serialised models (`getClassName`). */
  static override readonly className: string = 'ImdadBatchNormActivation';

  constructor(private readonly config: { center: boolean; alpha: number; name?: string }) {
    // BatchNorm's weights, in its order: beta if any, moving mean, moving variance.
    super({ center: config.center, scale: false, name: config.name });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const fused = hasKernels([BATCH_NORM_ACTIVATION, BATCH_NORM_ACTIVATION_GRAD, ACTIVATION_GRAD]);
      const training = kwargs.training === true;
      if (!fused) return this.callWithOps(x, training);
      const attrs = { epsilon: BATCH_NORM_EPSILON, alpha: this.config.alpha };
      const beta = this.beta?.read();
      if (!training) {
        // Differentiable too (explanations take gradients in inference mode): a per-channel affine map, then the activation.
        const movingMean = this.movingMean.read();
        const movingVariance = this.movingVariance.read();
        const inference = tf.customGrad(((...args: unknown[]) => {
          const save = args.pop() as tf.GradSaveFunc;
          const [input, shift] = args as [tf.Tensor, tf.Tensor | undefined];
          const inputs = { x: input, mean: movingMean, variance: movingVariance, ...(shift ? { beta: shift } : {}) };
          const y = (tf.engine().runKernel(BATCH_NORM_ACTIVATION, inputs, attrs) as tf.Tensor[])[0];
          save([y]);
          return {
            value: y,
            gradFunc: (dy: tf.Tensor | tf.Tensor[], [savedY]: tf.Tensor[]) => {
              const dz = tf.engine().runKernel(ACTIVATION_GRAD, { dy: dy as tf.Tensor, y: savedY }, { alpha: this.config.alpha }) as tf.Tensor;
              const dx = tf.mul(dz, tf.rsqrt(tf.add(movingVariance, BATCH_NORM_EPSILON)));
              return shift ? [dx, tf.sum(dz, Array.from({ length: dz.rank - 1 }, (_, axis) => axis))] : [dx];
            },
          };
        }) as unknown as Parameters<typeof tf.customGrad>[0]);
        return beta ? inference(x, beta) : inference(x);
      }
      const op = tf.customGrad(((...args: unknown[]) => {
        const save = args.pop() as tf.GradSaveFunc;
        const [input, shift] = args as [tf.Tensor, tf.Tensor | undefined];
        const [y, mean, variance, invStd] = tf.engine().runKernel(BATCH_NORM_ACTIVATION, { x: input, ...(shift ? { beta: shift } : {}) }, attrs) as tf.Tensor[];
        this.updateMoving(this.movingMean, mean);
        this.updateMoving(this.movingVariance, variance);
        save([input, mean, invStd, ...(shift ? [shift] : [])]);
        return {
          value: y,
          gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
            const [savedX, savedMean, savedInv, savedBeta] = saved;
            const grads = { dy: dy as tf.Tensor, x: savedX, mean: savedMean, invStd: savedInv, ...(savedBeta ? { beta: savedBeta } : {}) };
            const [dx, dbeta] = tf.engine().runKernel(BATCH_NORM_ACTIVATION_GRAD, grads, { alpha: this.config.alpha }) as tf.Tensor[];
            return savedBeta ? [dx, dbeta] : [dx];
          },
        };
      }) as unknown as Parameters<typeof tf.customGrad>[0]);
      return beta ? op(x, beta) : op(x);
    });
  }

  /** BatchNorm's ops, then the activation (backends without the fused kernels). */
  private callWithOps(x: tf.Tensor, training: boolean): tf.Tensor {
    return tf.leakyRelu(super.call(x, { training }), this.config.alpha);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.config.alpha };
  }
}
