/**
 * Rows of samples held in memory, as every loader returns them and every
 * trainer, head and explainer reads them.
 */
export interface Dataset {
  /** Features, row-major: `n * product(sampleShape)` values. */
  readonly x: Float32Array;
  /** Number of rows (samples). */
  readonly n: number;
  /** Shape of one sample: `[d]` for tabular rows, `[height, width, channels]` for images. */
  readonly sampleShape: readonly number[];
  /** Training labels: 1 = labeled anomaly, 0 = unlabeled / normal. Absent when the data has none. */
  readonly y?: Uint8Array;
  /** Original class ids (e.g. MNIST digits), for protocols that build labels from classes. */
  readonly classes?: Int32Array;
  /** One name per feature of a tabular row (CSV header), when known. */
  readonly featureNames?: readonly string[];
  /** Where the rows came from (a path), for messages. */
  readonly source?: string;
}

/** Number of values in one sample of the given shape. */
export function sampleSize(sampleShape: readonly number[]): number {
  return sampleShape.reduce((a, b) => a * b, 1);
}
