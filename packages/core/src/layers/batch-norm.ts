import { tf } from '../tf.js';

/** Options of {@link BatchNorm}. */
export interface BatchNormOptions {
  /** The layer's name (default: one tfjs makes unique). */
  readonly name?: string;
  /** Learn a shift (beta) after normalising; off: no affine terms at all, as in Ruff's nets. */
  readonly center: boolean;
  /** Learn a scale (gamma) after normalising. */
  readonly scale: boolean;
}

/** Added to the variance before the square root (as in core's layers and PyTorch's default order of magnitude). */
export const BATCH_NORM_EPSILON = 1e-4;
/** PyTorch's momentum 0.1 (0.9 in Keras terms): the moving statistics keep up with short schedules. */
export const BATCH_NORM_MOMENTUM = 0.9;

/**
 * Batch norm over the last axis, written with broadcasting ops. It replaces
 * `tf.layers.batchNormalization`, whose tfjs 4.22 version fails in training
 * when `center` or `scale` is off (it reads the missing beta or gamma) and
 * whose gradient tiles the statistics to the input's full size, a slow
 * kernel on the wasm backend (a quarter of a LeNet training step).
 * Weights: [gamma], [beta], moving mean, moving variance.
 */
export class BatchNorm extends tf.layers.Layer {
  /** The layer class name tfjs uses in serialised models (`getClassName`). */
  static readonly className: string = 'ImdadBatchNorm';
  private readonly center: boolean;
  private readonly scale: boolean;
  private gamma?: tf.LayerVariable;
  /** The shift, when `center`. */
  protected beta?: tf.LayerVariable;
  /** Per-channel mean over training batches, used at inference. */
  protected movingMean!: tf.LayerVariable;
  /** Per-channel variance over training batches, used at inference. */
  protected movingVariance!: tf.LayerVariable;

  constructor(options: BatchNormOptions) {
    super({ name: options.name });
    this.center = options.center;
    this.scale = options.scale;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1];
    if (typeof channels !== 'number') throw new Error(`${this.name}: the last axis needs a known size`);
    if (this.scale) this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [channels], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [channels], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (kwargs.training === true) {
        ({ mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, axis) => axis)));
        this.updateMoving(this.movingMean, mean);
        this.updateMoving(this.movingVariance, variance);
      } else {
        mean = this.movingMean.read();
        variance = this.movingVariance.read();
      }
      let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, BATCH_NORM_EPSILON)));
      if (this.gamma) y = tf.mul(y, this.gamma.read());
      if (this.beta) y = tf.add(y, this.beta.read());
      return y;
    });
  }

  /** Moves a moving statistic toward this batch's value (momentum 0.9: PyTorch's 0.1). */
  protected updateMoving(variable: tf.LayerVariable, batchValue: tf.Tensor): void {
    variable.write(tf.add(tf.mul(variable.read(), BATCH_NORM_MOMENTUM), tf.mul(batchValue, 1 - BATCH_NORM_MOMENTUM)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), center: this.center, scale: this.scale };
  }
}
