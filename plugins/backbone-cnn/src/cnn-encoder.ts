import { BatchNormActivation, ImdadError, InputConv2D, tf, type Encoder, type EncoderBuildContext } from '@imdad/core';
import { injectable } from 'inversify';
import { z } from 'zod';

/** Options of the CNN backbone. */
export const cnnOptionsSchema = z.strictObject({
  /** Filters of each conv block (one 2x2 max pool per block); default: Ruff's LeNet nets (see {@link defaultFilters}). */
  filters: z.array(z.number().int().positive()).min(1).optional(),
  /** Side of the square conv kernels ('same' padding). */
  kernelSize: z.number().int().positive().default(5),
  /** Width d of the embedding `phi(x)`. */
  embeddingDim: z.number().int().positive().default(32),
  /**
   * Off by default, as in Deep SVDD / Deep SAD (a bias lets a one-class objective collapse).
   * With labeled anomalies it may stay on: then batch norm learns a shift and the last layer has a bias.
   */
  bias: z.boolean().default(false),
  /** Batch norm after each conv (no scale; a shift only when `bias` is on), epsilon 1e-4 as in Ruff's nets. */
  batchNorm: z.boolean().default(true),
});

/** Options of the CNN backbone, defaults filled in. */
export type CnnOptions = z.infer<typeof cnnOptionsSchema>;

/** The smallest image side the backbone accepts. */
export const MIN_IMAGE_SIDE = 8;

/**
 * Ruff's nets: two blocks of 8 and 4 filters for grayscale images (the MNIST
 * LeNet), three blocks of 32, 64 and 128 filters for colour images (the CIFAR-10 LeNet).
 */
export function defaultFilters(inputShape: readonly number[]): number[] {
  return inputShape[2] >= 3 ? [32, 64, 128] : [8, 4];
}

/** Checks that `inputShape` is an image `[height, width, channels]` of at least 8x8. */
function imageShape(backbone: string, inputShape: readonly number[]): [number, number, number] {
  const [height, width, channels] = inputShape;
  if (inputShape.length !== 3 || !(height >= MIN_IMAGE_SIDE && width >= MIN_IMAGE_SIDE && channels >= 1)) {
    throw new ImdadError(
      'input',
      `the ${backbone} backbone needs images [height, width, channels] of at least ${MIN_IMAGE_SIDE}x${MIN_IMAGE_SIDE}, got samples of shape [${inputShape.join(', ')}]; use --backbone mlp for tabular rows`,
    );
  }
  return [height, width, channels];
}

/**
 * The LeNet-type encoder of Deep SVDD and Deep SAD: blocks of conv (5x5, 'same')
 * -> batch norm -> leaky ReLU (0.1) -> 2x2 max pool, then one dense layer to the embedding.
 */
@injectable()
export class CnnEncoder implements Encoder<CnnOptions> {
  readonly name = 'cnn';
  readonly description = 'LeNet-type CNN of Deep SVDD / Deep SAD for images (filters per block, kernel size, batch norm, bias)';
  readonly optionsSchema = cnnOptionsSchema;

  build(inputShape: readonly number[], options: CnnOptions, { seed }: EncoderBuildContext): tf.LayersModel {
    const [height, width] = imageShape(this.name, inputShape);
    const filters = options.filters ?? defaultFilters(inputShape);
    const pooledSide = Math.min(height, width) >> filters.length;
    if (pooledSide < 1) {
      throw new ImdadError(
        'config',
        `backbone "cnn" options: filters: ${filters.length} blocks halve a ${height}x${width} image to nothing; use at most ${Math.floor(Math.log2(Math.min(height, width)))} blocks`,
      );
    }
    let layerSeed = seed;
    const model = tf.sequential({ name: 'cnn' });
    model.add(tf.layers.inputLayer({ inputShape: [...inputShape] }));
    filters.forEach((count, block) => {
      const conv = {
        filters: count,
        kernelSize: options.kernelSize,
        useBias: options.bias && !options.batchNorm,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
      };
      model.add(block === 0 ? new InputConv2D(conv) : tf.layers.conv2d({ ...conv, padding: 'same' }));
      if (options.batchNorm) model.add(new BatchNormActivation({ center: options.bias, alpha: 0.1 }));
      else model.add(tf.layers.leakyReLU({ alpha: 0.1 }));
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
    });
    model.add(tf.layers.flatten());
    model.add(
      tf.layers.dense({
        units: options.embeddingDim,
        useBias: options.bias,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
      }),
    );
    return model;
  }
}
