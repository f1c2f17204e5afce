import { sampleSize, type Dataset } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';
import { SeededRandom } from '../random.js';

/** One seed's split under the ADBench/ADGym semi-supervised protocol. */
export interface ProtocolSplit {
  /** Training rows; `y` = 1 only for the `nla` labeled anomalies, 0 for all others (hidden anomalies included). */
  readonly train: Dataset;
  /** Test rows with their true labels. */
  readonly test: Dataset;
  /** Number of labeled anomalies in the training rows. */
  readonly labeledAnomalies: number;
}

/** Takes the rows `indices` of a dataset, with `y` replaced by `labels`. */
export function takeRows(dataset: Dataset, indices: ArrayLike<number>, labels?: Uint8Array): Dataset {
  const width = sampleSize(dataset.sampleShape);
  const x = new Float32Array(indices.length * width);
  for (let i = 0; i < indices.length; i++) {
    x.set(dataset.x.subarray(indices[i] * width, (indices[i] + 1) * width), i * width);
  }
  return {
    ...dataset,
    x,
    n: indices.length,
    y: labels ?? (dataset.y ? Uint8Array.from(indices as ArrayLike<number>, (i) => dataset.y![i]) : undefined),
    classes: dataset.classes ? Int32Array.from(indices as ArrayLike<number>, (i) => dataset.classes![i]) : undefined,
  };
}

/**
 * Stratified 70/30 train/test split per seed; `nla` training anomalies keep
 * their label (or a share `la` of them when `nla` is below 1), all other
 * training rows are unlabeled.
 */
export function semiSupervisedSplit(dataset: Dataset, nla: number, seed: number, testShare = 0.3): ProtocolSplit {
  if (!dataset.y) throw new ImdadError('input', `${dataset.source ?? 'dataset'} has no labels; the benchmark needs y`);
  const random = new SeededRandom(seed);
  const trainRows: number[] = [];
  const testRows: number[] = [];
  const trainAnomalies: number[] = [];
  for (const label of [0, 1]) {
    const rows = random.shuffle(Array.from({ length: dataset.n }, (_, i) => i).filter((i) => dataset.y![i] === label));
    const testCount = Math.round(rows.length * testShare);
    testRows.push(...rows.slice(0, testCount));
    trainRows.push(...rows.slice(testCount));
    if (label === 1) trainAnomalies.push(...rows.slice(testCount));
  }
  const wanted = nla < 1 ? Math.round(nla * trainAnomalies.length) : nla;
  const labeled = new Set(trainAnomalies.slice(0, Math.min(wanted, trainAnomalies.length)));
  const trainLabels = Uint8Array.from(trainRows, (i) => (labeled.has(i) ? 1 : 0));
  return {
    train: takeRows(dataset, trainRows, trainLabels),
    test: takeRows(dataset, testRows),
    labeledAnomalies: labeled.size,
  };
}
