import { SeededRandom } from '../random.js';

/**
 * Mini-batch plans: every batch carries labeled anomalies, oversampled with
 * replacement because they are few; unlabeled rows are visited once per epoch.
 */
export class BatchPlanner {
  private random: SeededRandom;
  /** Labeled anomalies drawn (with replacement) into each batch; 0 when there are none. */
  readonly anomaliesPerBatch: number;
  /** Unlabeled rows per batch: the rest of the batch size, at least 1. */
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

  /** State of the planner's generator between epochs: a checkpoint saves it so a resumed run draws the same batches. */
  get randomState(): number {
    return this.random.getState();
  }

  /** Restores the generator state saved from `randomState`. */
  set randomState(state: number) {
    this.random = SeededRandom.fromState(state);
  }

  /** Batches in one epoch over all unlabeled rows (at least 1). */
  get stepsPerEpoch(): number {
    return Math.max(1, Math.ceil(this.unlabeled.length / this.unlabeledPerBatch));
  }

  /**
   * One epoch of batches: row indices and targets (+1 labeled anomaly, -1 unlabeled).
   * `unlabeled` narrows the epoch to a subset of the unlabeled rows (e.g. after trimming).
   */
  *epoch(unlabeled: Int32Array = this.unlabeled): Generator<{
    /** Indices of the batch's rows in the dataset. */
    rows: Int32Array;
    /** Per row: +1 for a labeled anomaly, -1 for an unlabeled row. */
    targets: Float32Array;
  }> {
    const order = this.random.shuffle(Int32Array.from(unlabeled));
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
