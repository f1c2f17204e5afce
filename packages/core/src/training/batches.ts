import { SeededRandom } from '../random.js';

/**
 * Mini-batch plans: every batch carries labeled anomalies, oversampled with
 * replacement because they are few; unlabeled rows are visited once per epoch.
 */
export class BatchPlanner {
  private readonly random: SeededRandom;
  readonly anomaliesPerBatch: number;
  readonly unlabeledPerBatch: number;

  constructor(
    private readonly unlabeled: Int32Array,
    private readonly anomalies: Int32Array,
    batchSize: number,
    anomalyFraction: number,
    seed: number,
  ) {
    this.random = new SeededRandom(seed);
    this.anomaliesPerBatch = anomalies.length === 0 ? 0 : Math.max(1, Math.round(batchSize * anomalyFraction));
    this.unlabeledPerBatch = Math.max(1, batchSize - this.anomaliesPerBatch);
  }

  get stepsPerEpoch(): number {
    return Math.max(1, Math.ceil(this.unlabeled.length / this.unlabeledPerBatch));
  }

  /** One epoch of batches: row indices and targets (+1 labeled anomaly, -1 unlabeled). */
  *epoch(): Generator<{ rows: Int32Array; targets: Float32Array }> {
    const order = this.random.shuffle(Int32Array.from(this.unlabeled));
    for (let start = 0; start < order.length || start === 0; start += this.unlabeledPerBatch) {
      const normals = order.subarray(start, start + this.unlabeledPerBatch);
      const size = normals.length + this.anomaliesPerBatch;
      const rows = new Int32Array(size);
      const targets = new Float32Array(size).fill(-1);
      rows.set(normals);
      for (let i = normals.length; i < size; i++) {
        rows[i] = this.anomalies[this.random.int(this.anomalies.length)];
        targets[i] = 1;
      }
      yield { rows, targets };
      if (order.length === 0) break;
    }
  }
}
