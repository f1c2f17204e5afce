import { tf } from '../tf.js';

/** Embeddings `[rows.length, d]` of the given rows of `x`, computed in inference mode batch by batch. */
export function embedInBatches(network: tf.LayersModel, x: tf.Tensor, rows: Int32Array, batchSize: number): tf.Tensor2D {
  const parts: tf.Tensor2D[] = [];
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.subarray(start, start + batchSize);
    parts.push(tf.tidy(() => network.apply(tf.gather(x, tf.tensor1d(batch, 'int32')), { training: false }) as tf.Tensor2D));
  }
  if (parts.length === 1) return parts[0];
  const phi = tf.concat(parts, 0);
  tf.dispose(parts);
  return phi;
}
