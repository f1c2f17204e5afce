import { tf, type ExplainableModel, type HeadModel, type SphereReadout } from '@imdad/core';

/** Rows per forward pass: large batches keep tfjs's per-op overhead low. */
const BATCH_ROWS = 1024;

/** Embeddings and scores of preprocessed rows. */
export interface ModelPass {
  /** `phi(x)`, row-major `[n, d]`. */
  readonly phi: Float32Array;
  /** `s(x)` from the head. */
  readonly score: Float32Array;
  readonly embeddingDim: number;
}

/** Center and radius from the head's weights (`c = -w/2`, `R^2 = ||w||^2/4 - b`); `R^2 <= 0` is flagged. */
export function readSphere(head: HeadModel): SphereReadout {
  const { center, radiusSquared } = head.sphere();
  return { center: Array.from(center), radius: Math.sqrt(Math.max(radiusSquared, 0)), radiusSquared, empty: radiusSquared <= 0 };
}

/** Runs `n` preprocessed rows (row-major over `model.inputShape`) through the encoder and the head, batch by batch. */
export function embedAndScore(model: ExplainableModel, prepared: Float32Array, n: number): ModelPass {
  const width = prepared.length / Math.max(n, 1);
  const d = model.head.embeddingDim;
  const phi = new Float32Array(n * d);
  const score = new Float32Array(n);
  for (let start = 0; start < n; start += BATCH_ROWS) {
    const rows = Math.min(BATCH_ROWS, n - start);
    const [embedding, scores] = tf.tidy(() => {
      const x = tf.tensor(prepared.subarray(start * width, (start + rows) * width), [rows, ...model.inputShape]);
      const e = model.network.apply(x, { training: false }) as tf.Tensor2D;
      return [e, model.head.score(e)];
    });
    phi.set(embedding.dataSync(), start * d);
    score.set(scores.dataSync(), start);
    tf.dispose([embedding, scores]);
  }
  return { phi, score, embeddingDim: d };
}

/** `(phi_k - c_k)^2` per dimension: the score's decomposition, summing to `score + R^2`. */
export function decompose(phi: Float32Array, center: readonly number[]): number[] {
  return center.map((c, k) => (phi[k] - c) ** 2);
}

/** Euclidean distance between two equally long vectors. */
export function distance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += (a[k] - b[k]) ** 2;
  return Math.sqrt(sum);
}

/** Evenly spaced items, at most `limit` of them (all when there are fewer). */
export function thin<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  const step = items.length / limit;
  return Array.from({ length: limit }, (_, i) => items[Math.floor(i * step)]);
}
