import { BatchNorm, ImdadError, tf, type Encoder, type EncoderBuildContext } from '@imdad/core';
import { injectable } from 'inversify';
import { z } from 'zod';

/** Options of the ResNet backbone. */
export const resnetOptionsSchema = z.strictObject({
  /** Residual blocks per stage; each stage after the first halves the image (stride 2) and doubles the filters. */
  blocksPerStage: z.array(z.number().int().positive()).min(1).default([1, 1]),
  /** Filters of the stem and the first stage. */
  width: z.number().int().positive().default(16),
  /** Width d of the embedding `phi(x)`. */
  embeddingDim: z.number().int().positive().default(32),
  /**
   * Off by default, as in Deep SVDD / Deep SAD: batch norm without affine terms
   * and a bias-free last layer. On: affine batch norm and a bias in the last layer.
   */
  bias: z.boolean().default(false),
});

/** Options of the ResNet backbone, defaults filled in. */
export type ResnetOptions = z.infer<typeof resnetOptionsSchema>;

/**
 * Builds layers with explicit names and seeds in a fixed order, so that the
 * same options always give the same architecture with the same weight order
 * (the model store sets weights by position).
 */
class ResnetBuilder {
  private layerSeed: number;

  constructor(
    private readonly options: ResnetOptions,
    seed: number,
  ) {
    // From seed + 1: tfjs's normal initialisers (heNormal) take a seed of 0 as "no seed" and draw from Math.random.
    this.layerSeed = seed + 1;
  }

  conv(x: tf.SymbolicTensor, name: string, filters: number, kernelSize: 1 | 3, strides: 1 | 2): tf.SymbolicTensor {
    const layer = tf.layers.conv2d({
      name,
      filters,
      kernelSize,
      strides,
      padding: 'same',
      useBias: false,
      kernelInitializer: tf.initializers.heNormal({ seed: this.layerSeed++ }),
    });
    return layer.apply(x) as tf.SymbolicTensor;
  }

  batchNorm(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    const { bias } = this.options;
    return new BatchNorm({ name, center: bias, scale: bias }).apply(x) as tf.SymbolicTensor;
  }

  relu(x: tf.SymbolicTensor, name: string): tf.SymbolicTensor {
    return tf.layers.reLU({ name }).apply(x) as tf.SymbolicTensor;
  }

  /** conv3x3 -> BN -> ReLU -> conv3x3 -> BN, plus the shortcut (a 1x1 projection where the shape changes), -> ReLU. */
  residualBlock(x: tf.SymbolicTensor, name: string, filters: number, strides: 1 | 2): tf.SymbolicTensor {
    let y = this.relu(this.batchNorm(this.conv(x, `${name}_conv1`, filters, 3, strides), `${name}_bn1`), `${name}_relu1`);
    y = this.batchNorm(this.conv(y, `${name}_conv2`, filters, 3, 1), `${name}_bn2`);
    const projected = strides !== 1 || x.shape[3] !== filters;
    const shortcut = projected ? this.batchNorm(this.conv(x, `${name}_proj`, filters, 1, strides), `${name}_proj_bn`) : x;
    return this.relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as tf.SymbolicTensor, `${name}_out`);
  }

  build(inputShape: readonly number[]): tf.LayersModel {
    const { blocksPerStage, width, embeddingDim, bias } = this.options;
    const input = tf.input({ name: 'image', shape: [...inputShape] });
    let x = this.relu(this.batchNorm(this.conv(input, 'stem_conv', width, 3, 1), 'stem_bn'), 'stem_relu');
    blocksPerStage.forEach((blocks, stage) => {
      const filters = width * 2 ** stage;
      for (let block = 0; block < blocks; block++) {
        const strides = stage > 0 && block === 0 ? 2 : 1;
        x = this.residualBlock(x, `stage${stage + 1}_block${block + 1}`, filters, strides);
      }
    });
    x = tf.layers.globalAveragePooling2d({ name: 'pool' }).apply(x) as tf.SymbolicTensor;
    const embedding = tf.layers
      .dense({
        name: 'embedding',
        units: embeddingDim,
        useBias: bias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: this.layerSeed++ }),
      })
      .apply(x) as tf.SymbolicTensor;
    return tf.model({ name: 'resnet', inputs: input, outputs: embedding });
  }
}

/**
 * A small residual network for images: a 3x3 stem, stages of basic residual
 * blocks (two 3x3 convs with batch norm) with stride-2 downsampling and 1x1
 * projection shortcuts between stages, global average pooling, then a dense
 * layer to the embedding. `blocksPerStage: [2, 2, 2, 2]` is ResNet-18-like.
 */
@injectable()
export class ResnetEncoder implements Encoder<ResnetOptions> {
  readonly name = 'resnet';
  readonly description = 'residual network for images (blocks per stage, base width, embedding width, bias)';
  readonly optionsSchema = resnetOptionsSchema;

  build(inputShape: readonly number[], options: ResnetOptions, { seed }: EncoderBuildContext): tf.LayersModel {
    if (inputShape.length !== 3 || !inputShape.every((side) => Number.isInteger(side) && side >= 1)) {
      throw new ImdadError(
        'input',
        `the resnet backbone needs images [height, width, channels], got samples of shape [${inputShape.join(', ')}]; use --backbone mlp for tabular rows`,
      );
    }
    return new ResnetBuilder(options, seed).build(inputShape);
  }
}
