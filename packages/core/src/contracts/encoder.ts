import type { tf } from '../tf.js';
import type { Configurable } from './options.js';

/** Extension point: a backbone, i.e. a factory of encoder networks `phi: X -> R^d`. */
export const Encoder = Symbol.for('imdad/Encoder');

/** What an encoder gets besides its options when it builds a network. */
export interface EncoderBuildContext {
  /** Seed for weight initialisers: the same seed builds the same weights. */
  readonly seed: number;
}

/**
 * A backbone. `build` returns a fresh, untrained network whose input is one
 * batch of samples of `inputShape` and whose output is the embedding `[batch, d]`.
 * Saved models store the encoder's name and options and rebuild the network
 * through `build`, so the same options must always give the same architecture.
 */
export interface Encoder<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  /** Builds a fresh, untrained network for samples of `inputShape`, with weights seeded by `context.seed`. */
  build(inputShape: readonly number[], options: Options, context: EncoderBuildContext): tf.LayersModel;
}
