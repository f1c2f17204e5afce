/** How raw rows are mapped to the network's input, as stored in a model's manifest. */
export type Preprocessing =
  | {
      /** Rows are used as they are. */
      readonly kind: 'none';
    }
  | {
      /** Each feature is scaled to `[0, 1]` by the training rows' range. */
      readonly kind: 'minmax';
      /** Per-feature minimum over the training rows. */
      readonly min: readonly number[];
      /** Per-feature maximum over the training rows. */
      readonly max: readonly number[];
    };

/** Min-max scaling fit on the training rows (the ADBench protocol); constant features map to 0. */
export function fitMinMax(x: Float32Array, n: number, width: number): Preprocessing {
  const min = new Array<number>(width).fill(Infinity);
  const max = new Array<number>(width).fill(-Infinity);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < width; j++) {
      const v = x[i * width + j];
      if (v < min[j]) min[j] = v;
      if (v > max[j]) max[j] = v;
    }
  }
  return { kind: 'minmax', min, max };
}

/** Applies the preprocessing to row-major values; returns the input itself for `none`. */
export function applyPreprocessing(p: Preprocessing, x: Float32Array): Float32Array {
  if (p.kind === 'none') return x;
  const width = p.min.length;
  const out = new Float32Array(x.length);
  const scale = p.min.map((lo, j) => (p.max[j] > lo ? 1 / (p.max[j] - lo) : 0));
  for (let i = 0; i < x.length; i++) {
    const j = i % width;
    out[i] = (x[i] - p.min[j]) * scale[j];
  }
  return out;
}
