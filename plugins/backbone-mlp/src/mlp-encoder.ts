import { BatchNorm, DenseActivation, ImdadError, sampleSize, tf, type Encoder, type EncoderBuildContext } from '@imdad/core';
import { injectable } from 'inversify';
import { z } from 'zod';

/** Options of the MLP backbone. */
export const mlpOptionsSchema = z.strictObject({
  /** Widths of the hidden layers; default: two layers sized from the input width (see {@link defaultHiddenUnits}). */
  hiddenUnits: z.array(z.number().int().positive()).optional(),
  /** Width d of the embedding `phi(x)`. */
  embeddingDim: z.number().int().positive().default(32),
  /** Activation after each hidden layer (`leaky-relu` has slope 0.1). */
  activation: z.enum(['relu', 'leaky-relu', 'elu', 'tanh', 'selu']).default('leaky-relu'),
  /** Batch normalisation before each hidden activation (the dense layer's bias is dropped then). */
  batchNorm: z.boolean().default(false),
  /** Biases can stay on: labeled anomalies keep the sphere from collapsing. The Deep SVDD baseline needs them off. */
  bias: z.boolean().default(true),
  /** Dropout rate after each hidden activation (0: none). */
  dropout: z.number().min(0).lt(1).default(0),
});

/** Options of the MLP backbone, defaults filled in. */
export type MlpOptions = z.infer<typeof mlpOptionsSchema>;

/** Two hidden layers: twice the input width clamped to [64, 256], then half of that. */
export function defaultHiddenUnits(inputWidth: number): number[] {
  const first = Math.min(256, Math.max(64, 2 ** Math.ceil(Math.log2(2 * inputWidth))));
  return [first, first / 2];
}

/** The slope below 0 of an activation {@link DenseActivation} runs fused; undefined for the others. */
function fusedSlope(activation: MlpOptions['activation']): number | undefined {
  return activation === 'leaky-relu' ? 0.1 : activation === 'relu' ? 0 : undefined;
}

/** A multilayer perceptron for tabular rows (any input shape is flattened). */
@injectable()
export class MlpEncoder implements Encoder<MlpOptions> {
  readonly name = 'mlp';
  readonly description = 'multilayer perceptron for tabular rows (hidden sizes, activation, batch norm, bias, dropout)';
  readonly optionsSchema = mlpOptionsSchema;

  build(inputShape: readonly number[], options: MlpOptions, { seed }: EncoderBuildContext): tf.LayersModel {
    const width = sampleSize(inputShape);
    if (width === 0) throw new ImdadError('input', 'the MLP backbone needs at least one input feature');
    const hidden = options.hiddenUnits ?? defaultHiddenUnits(width);
    let layerSeed = seed;
    const dense = (units: number, activation?: 'linear') =>
      tf.layers.dense({
        units,
        activation,
        useBias: options.bias && !options.batchNorm,
        kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }),
      });
    const model = tf.sequential({ name: 'mlp' });
    if (inputShape.length !== 1) model.add(tf.layers.flatten({ inputShape: [...inputShape] }));
    else model.add(tf.layers.inputLayer({ inputShape: [width] }));
    // Dense + activation as one layer where it can be (same weights, same order); otherwise the tfjs layers.
    const slope = options.batchNorm ? undefined : fusedSlope(options.activation);
    const useBias = options.bias && !options.batchNorm;
    for (const units of hidden) {
      if (slope !== undefined) {
        model.add(new DenseActivation({ units, alpha: slope, useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }) }));
      } else {
        model.add(dense(units, 'linear'));
        if (options.batchNorm) model.add(new BatchNorm({ center: options.bias, scale: false }));
        model.add(activationLayer(options.activation));
      }
      if (options.dropout > 0) model.add(tf.layers.dropout({ rate: options.dropout, seed: layerSeed++ }));
    }
    model.add(new DenseActivation({ units: options.embeddingDim, alpha: 1, useBias, kernelInitializer: tf.initializers.glorotUniform({ seed: layerSeed++ }) }));
    return model;
  }
}

function activationLayer(activation: MlpOptions['activation']): tf.layers.Layer {
  return activation === 'leaky-relu' ? tf.layers.leakyReLU({ alpha: 0.1 }) : tf.layers.activation({ activation });
}
