import { ImdadError, tf, type Encoder, type EncoderBuildContext } from '@imdad/core';
import { injectable } from 'inversify';
import { z } from 'zod';

/** Options of the conv1d backbone, as written under `backboneOptions` in the rc file. */
export const conv1dOptionsSchema = z.strictObject({
  /** Filters of each of the two convolutions. */
  filters: z.number().int().positive().default(16),
  /** Width of the convolution kernels, in time steps ('same' padding). */
  kernelSize: z.number().int().positive().default(5),
  /** Width d of the embedding `phi(x)`. */
  embeddingDim: z.number().int().positive().default(16),
});

export type Conv1dOptions = z.infer<typeof conv1dOptionsSchema>;

/** The pooling layer halves the window, so it needs at least two time steps. */
export const MIN_WINDOW_LENGTH = 2;

/**
 * Reads a sample shape as a window of `length` time steps and `channels` values per step:
 * a tabular row `[L]` is one channel, `[L, C]` is C channels.
 */
function windowShape(inputShape: readonly number[]): [number, number] {
  const [length, channels = 1] = inputShape;
  if (inputShape.length > 2 || !(length >= MIN_WINDOW_LENGTH && channels >= 1)) {
    throw new ImdadError(
      'input',
      `the conv1d backbone needs windows [length] or [length, channels] of at least ${MIN_WINDOW_LENGTH} steps, got samples of shape [${inputShape.join(', ')}]; use --backbone mlp or cnn for other data`,
    );
  }
  return [length, channels];
}

/**
 * A 1-D convolutional encoder for time-series windows: conv -> max pool -> conv ->
 * global average pooling -> dense. The average over time makes the embedding
 * insensitive to where in the window a pattern occurs.
 */
@injectable()
export class Conv1dEncoder implements Encoder<Conv1dOptions> {
  readonly name = 'conv1d';
  readonly description = '1-D CNN for time-series windows: each row is a sequence (filters, kernel size, embedding size)';
  readonly optionsSchema = conv1dOptionsSchema;

  build(inputShape: readonly number[], options: Conv1dOptions, { seed }: EncoderBuildContext): tf.LayersModel {
    const [length, channels] = windowShape(inputShape);
    // One seed per layer: the same seed rebuilds the same weights when a saved model is loaded.
    // From seed + 1: tfjs's normal initialisers (heNormal) take a seed of 0 as "no seed" and draw from Math.random.
    let layerSeed = seed + 1;
    const conv = () =>
      tf.layers.conv1d({
        filters: options.filters,
        kernelSize: options.kernelSize,
        padding: 'same',
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: layerSeed++ }),
      });
    const model = tf.sequential({ name: 'conv1d' });
    model.add(tf.layers.reshape({ inputShape: [...inputShape], targetShape: [length, channels] }));
    model.add(conv());
    model.add(tf.layers.maxPooling1d({ poolSize: 2, strides: 2 }));
    model.add(conv());
    model.add(tf.layers.globalAveragePooling1d({}));
    model.add(
      tf.layers.dense({
        units: options.embeddingDim,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
      }),
    );
    return model;
  }
}
