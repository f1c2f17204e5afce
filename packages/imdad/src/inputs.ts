import { ImdadError, sampleSize, tf, type Dataset } from '@imdad/core';

/** Values with their shape: `[rows, ...sampleShape]`, row-major (e.g. `{ data, shape: [n, 21] }`). */
export interface ShapedArray {
  /** The values, row-major. */
  readonly data: ArrayLike<number>;
  /** `[rows, features]` for tabular rows, `[rows, height, width, channels]` for images. */
  readonly shape: readonly number[];
}

/**
 * Rows to fit, score or explain: an array of rows (`number[][]`), a typed
 * array with its shape, or a tfjs tensor whose first axis is the rows.
 */
export type Rows = readonly (readonly number[])[] | ShapedArray | tf.Tensor;

/** Training labels, one per row: 1 (or true) marks a labeled anomaly, 0 (or false) an unlabeled row. */
export type Labels = ArrayLike<number | boolean> | tf.Tensor;

/** Duck-typed, so that a tensor of another copy of tfjs is taken too. */
function isTensor(value: unknown): value is tf.Tensor {
  return typeof value === 'object' && value !== null && typeof (value as tf.Tensor).dataSync === 'function' && Array.isArray((value as tf.Tensor).shape);
}

function isShaped(value: unknown): value is ShapedArray {
  return typeof value === 'object' && value !== null && 'data' in value && 'shape' in value;
}

/** Fails on the first value that is not a finite number: a NaN would poison training silently. */
function checkFinite(x: Float32Array, width: number, what: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) {
      throw new ImdadError('input', `${what}: row ${Math.floor(i / width)}, value ${i % width} is ${x[i]}; every value must be a finite number`);
    }
  }
}

/** Rows as core's {@link Dataset} (features copied to float32), checked: rectangular, finite, non-empty samples. */
export function toDataset(rows: Rows, what = 'x'): Dataset {
  let x: Float32Array;
  let shape: number[];
  if (isTensor(rows)) {
    shape = [...rows.shape];
    x = Float32Array.from(rows.dataSync() as ArrayLike<number>);
  } else if (isShaped(rows)) {
    shape = [...rows.shape];
    if (!shape.every((s) => Number.isInteger(s) && s >= 0)) throw new ImdadError('input', `${what}: shape [${shape.join(', ')}] is not a list of sizes`);
    x = Float32Array.from(rows.data);
    if (x.length !== sampleSize(shape)) {
      throw new ImdadError('input', `${what}: ${x.length} values do not fill shape [${shape.join(', ')}] (${sampleSize(shape)} values)`);
    }
  } else if (Array.isArray(rows)) {
    const width = rows.length > 0 && Array.isArray(rows[0]) ? rows[0].length : 0;
    rows.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== width) {
        throw new ImdadError('input', `${what}: row ${i} has ${Array.isArray(row) ? row.length : 'no'} values, row 0 has ${width}; rows must all have the same length`);
      }
    });
    shape = [rows.length, width];
    x = new Float32Array(rows.length * width);
    rows.forEach((row, i) => x.set(row, i * width));
  } else {
    throw new ImdadError('input', `${what} must be an array of rows (number[][]), { data, shape } or a tfjs tensor`);
  }
  if (shape.length < 2) throw new ImdadError('input', `${what}: shape [${shape.join(', ')}] has no sample axis; rows need shape [rows, features] (or [rows, height, width, channels])`);
  const [n, ...sampleShape] = shape;
  const width = sampleSize(sampleShape);
  if (width === 0) throw new ImdadError('input', `${what}: samples of shape [${sampleShape.join(', ')}] hold no values`);
  checkFinite(x, width, what);
  return { x, n, sampleShape };
}

/** Labels as 0/1 bytes, one per row; anything but 0/1/true/false is an error. */
export function toLabels(labels: Labels, rows: number): Uint8Array {
  const values: ArrayLike<number | boolean> = isTensor(labels) ? (labels.dataSync() as ArrayLike<number>) : labels;
  if (values.length !== rows) throw new ImdadError('input', `y has ${values.length} labels for ${rows} rows; give one label per row (1: labeled anomaly, 0: unlabeled)`);
  const y = new Uint8Array(rows);
  for (let i = 0; i < rows; i++) {
    const value = values[i];
    if (value === 1 || value === true) y[i] = 1;
    else if (value !== 0 && value !== false) {
      throw new ImdadError('input', `y[${i}] is ${JSON.stringify(value)}; labels are 1 (labeled anomaly) or 0 (unlabeled)`);
    }
  }
  return y;
}
