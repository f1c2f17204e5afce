import type { Dataset } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { takeRows, type ProtocolSplit } from './tabular-protocol.js';

/** Options of {@link oneVsRestSplit}. */
export interface OneVsRestOptions {
  /** The class the labeled anomalies come from; default: the next class id after the normal one, cyclically ((k + 1) mod 10 on MNIST). */
  readonly anomalyClass?: number;
  /** gamma_l: share of the training rows that are labeled anomalies (default 0.05). */
  readonly labeledRatio?: number;
  /** gamma_p: share of the unlabeled training rows that are anomalies from other classes (default 0). */
  readonly pollution?: number;
  /** Share of every class held out for the test set (default 0.3). */
  readonly testShare?: number;
}

/** One seed's split under the one-vs-rest image protocol. */
export interface OneVsRestSplit extends ProtocolSplit {
  /** The class taken as normal. */
  readonly normalClass: number;
  /** The class the labeled anomalies come from. */
  readonly anomalyClass: number;
  /** Unlabeled training rows from other classes (the pollution). */
  readonly pollutedRows: number;
}

function checkShare(name: string, value: number): void {
  if (!(value >= 0 && value < 1)) throw new ImdadError('usage', `${name} must be in [0, 1), got ${value}`);
}

/**
 * The one-vs-rest protocol of Deep SAD (Ruff et al., ICLR 2020) on a dataset
 * with class ids: a stratified 70/30 split per class and seed; the training
 * rows are the normal class `k` (unlabeled), plus unlabeled anomalies from the
 * other classes (pollution gamma_p of the unlabeled rows, 0 by default), plus
 * labeled anomalies from one other class making up gamma_l of all training
 * rows; the test set holds every class, with y = 1 for all but `k`.
 * Counts follow Ruff's code: `n_p = n_k gamma_p / (1 - gamma_p)`,
 * `n_l = (n_k + n_p) gamma_l / (1 - gamma_l)`, rounded down.
 */
export function oneVsRestSplit(dataset: Dataset, normalClass: number, seed: number, options: OneVsRestOptions = {}): OneVsRestSplit {
  const { classes } = dataset;
  const where = dataset.source ?? 'dataset';
  if (!classes) {
    throw new ImdadError('input', `${where} has no class ids; the one-vs-rest protocol needs them (IDX images with their labels file, or a PNG folder with one sub-folder per class)`);
  }
  const labeledRatio = options.labeledRatio ?? 0.05;
  const pollution = options.pollution ?? 0;
  const testShare = options.testShare ?? 0.3;
  checkShare('labeledRatio', labeledRatio);
  checkShare('pollution', pollution);
  checkShare('testShare', testShare);
  const known = [...new Set(classes)].sort((a, b) => a - b);
  if (!known.includes(normalClass)) {
    throw new ImdadError('usage', `class ${normalClass} is not in ${where} (classes: ${known.join(', ')})`);
  }
  const anomalyClass = options.anomalyClass ?? known[(known.indexOf(normalClass) + 1) % known.length];
  if (anomalyClass === normalClass || !known.includes(anomalyClass)) {
    throw new ImdadError('usage', `anomaly class ${anomalyClass} must be another class of ${where} than the normal class ${normalClass} (classes: ${known.join(', ')})`);
  }

  const random = new SeededRandom(seed);
  const testRows: number[] = [];
  const trainByClass = new Map<number, number[]>();
  for (const label of known) {
    const rows = random.shuffle(Array.from({ length: dataset.n }, (_, i) => i).filter((i) => classes[i] === label));
    const testCount = Math.round(rows.length * testShare);
    testRows.push(...rows.slice(0, testCount));
    trainByClass.set(label, rows.slice(testCount));
  }

  const normals = trainByClass.get(normalClass)!;
  const labeledPool = trainByClass.get(anomalyClass)!;
  const pollutedWanted = Math.floor((normals.length * pollution) / (1 - pollution));
  const labeled = labeledPool.slice(0, Math.floor(((normals.length + pollutedWanted) * labeledRatio) / (1 - labeledRatio)));
  const pollutionPool = known
    .filter((label) => label !== normalClass)
    .flatMap((label) => (label === anomalyClass ? labeledPool.slice(labeled.length) : trainByClass.get(label)!));
  const polluted = random.shuffle(pollutionPool).slice(0, pollutedWanted);

  const trainRows = [...normals, ...polluted, ...labeled];
  const trainLabels = Uint8Array.from(trainRows, (_, i) => (i >= normals.length + polluted.length ? 1 : 0));
  const testLabels = Uint8Array.from(testRows, (i) => (classes[i] === normalClass ? 0 : 1));
  return {
    train: takeRows(dataset, trainRows, trainLabels),
    test: takeRows(dataset, testRows, testLabels),
    labeledAnomalies: labeled.length,
    normalClass,
    anomalyClass,
    pollutedRows: polluted.length,
  };
}
