import { tf } from '../tf.js';

/**
 * A 'same'-padded, stride-1 convolution for the network's input layer, with the
 * weights of `tf.layers.conv2d` (kernel `[k, k, in, filters]`, then the bias
 * if any, same initialiser). `tf.layers.conv2d` runs the fused convolution,
 * whose gradient always computes the input gradient as well; for the first
 * layer that is the gradient with respect to the data, which nothing uses, and
 * on the wasm backend it cost about a sixth of a LeNet training step. The plain
 * `tf.conv2d` here differentiates only what the tape asks for.
 */
export class InputConv2D extends tf.layers.Layer {
  /** The layer class name tfjs uses in serialised models (`getClassName`). */
  static readonly className = 'ImdadInputConv2D';
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(private readonly config: { filters: number; kernelSize: number; useBias: boolean; kernelInitializer: ReturnType<typeof tf.initializers.glorotUniform>; name?: string }) {
    super({ name: config.name });
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    const { filters, kernelSize, useBias, kernelInitializer } = this.config;
    this.kernel = this.addWeight('kernel', [kernelSize, kernelSize, channels, filters], 'float32', kernelInitializer);
    if (useBias) this.bias = this.addWeight('bias', [filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.config.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const y = tf.conv2d(x, this.kernel!.read() as tf.Tensor4D, 1, 'same');
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const { filters, kernelSize, useBias } = this.config;
    return { ...super.getConfig(), filters, kernelSize, useBias };
  }
}
