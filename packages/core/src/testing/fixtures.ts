import { z } from 'zod';
import type { Dataset } from '../contracts/dataset.js';
import type { Encoder } from '../contracts/encoder.js';
import { SeededRandom } from '../random.js';
import { tf } from '../tf.js';

/** A small dense encoder for core's own tests (core knows no plugin). */
export class TinyEncoder implements Encoder<{ units: number; bias: boolean }> {
  readonly name = 'tiny';
  readonly description = 'two dense layers, for tests';
  readonly optionsSchema = z.strictObject({ units: z.number().int().default(8), bias: z.boolean().default(true) });

  build(inputShape: readonly number[], options: { units: number; bias: boolean }, { seed }: { seed: number }): tf.LayersModel {
    return tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [...inputShape], units: 16, activation: 'tanh', useBias: options.bias, kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
        tf.layers.dense({ units: options.units, useBias: options.bias, kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      ],
    });
  }
}

/** Gaussian normals around 0.5 and anomalies shifted along the first feature; `labeled` of the anomalies carry y = 1. */
export function syntheticDataset(options: { normals: number; anomalies: number; labeled: number; width: number; seed: number }): Dataset & { truth: Uint8Array } {
  const random = new SeededRandom(options.seed);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const n = options.normals + options.anomalies;
  const x = new Float32Array(n * options.width);
  const y = new Uint8Array(n);
  const truth = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const anomaly = i >= options.normals;
    for (let j = 0; j < options.width; j++) x[i * options.width + j] = 0.5 + 0.1 * gauss() + (anomaly && j === 0 ? 0.6 : 0);
    truth[i] = anomaly ? 1 : 0;
    y[i] = anomaly && i - options.normals < options.labeled ? 1 : 0;
  }
  return { x, n, sampleShape: [options.width], y, truth };
}

/** Deterministic values in [-1, 1) for kernel tests. */
export function randomValues(size: number, seed: number): Float32Array {
  const random = new SeededRandom(seed);
  return Float32Array.from({ length: size }, () => random.next() * 2 - 1);
}

/** Largest absolute difference between two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}
