/** Eigenvalues (descending) and unit eigenvectors (`vectors[i]` goes with `values[i]`) of a symmetric matrix. */
export interface EigenDecomposition {
  /** The eigenvalues, largest first. */
  readonly values: Float64Array;
  /** Unit eigenvectors, in the order of `values`. */
  readonly vectors: Float64Array[];
}

const MAX_SWEEPS = 64;

/**
 * Eigen-decomposition of a symmetric `n x n` matrix (row-major) by cyclic Jacobi
 * rotations: robust when eigenvalues are close, which power iteration is not,
 * and cheap for embedding widths (`n` up to a few hundred).
 */
export function symmetricEigen(matrix: ArrayLike<number>, n: number): EigenDecomposition {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += a[p * n + q] ** 2;
    if (off <= 1e-24 * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        // The rotation J (J_pp = J_qq = c, J_pq = s, J_qp = -s) with (J^T A J)_pq = 0.
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p];
          const vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j] - a[i * n + i]);
  return {
    values: Float64Array.from(order, (i) => a[i * n + i]),
    vectors: order.map((i) => Float64Array.from({ length: n }, (_, k) => v[k * n + i])),
  };
}

/** A projection onto the first two principal axes. */
export interface PlaneProjection {
  /** Mean of the points: the plane's origin. */
  readonly mean: Float64Array;
  /** Two orthonormal axes (the second is zero when the data has one dimension). */
  readonly axes: readonly [Float64Array, Float64Array];
  /** Share of the total variance along each axis. */
  readonly explained: readonly [number, number];
}

/**
 * PCA to two dimensions of `n` points of width `d` (row-major): center, covariance,
 * eigenvectors. Axis signs are fixed (largest component positive) so pictures are stable.
 */
export function principalPlane(points: Float32Array, n: number, d: number): PlaneProjection {
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) mean[k] += points[i * d + k] / n;
  const covariance = new Float64Array(d * d);
  const centered = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < d; k++) centered[k] = points[i * d + k] - mean[k];
    for (let p = 0; p < d; p++) for (let q = p; q < d; q++) covariance[p * d + q] += centered[p] * centered[q];
  }
  const denominator = Math.max(n - 1, 1);
  for (let p = 0; p < d; p++) {
    for (let q = p; q < d; q++) {
      covariance[p * d + q] /= denominator;
      covariance[q * d + p] = covariance[p * d + q];
    }
  }
  const { values, vectors } = symmetricEigen(covariance, d);
  const total = values.reduce((sum, value) => sum + Math.max(value, 0), 0);
  const axis = (i: number): Float64Array => (i < d ? orient(vectors[i]) : new Float64Array(d));
  const share = (i: number): number => (i < d && total > 0 ? Math.max(values[i], 0) / total : 0);
  return { mean, axes: [axis(0), axis(1)], explained: [share(0), share(1)] };
}

/** Flips a vector so that its largest-magnitude component is positive. */
function orient(vector: Float64Array): Float64Array {
  let largest = 0;
  for (let k = 1; k < vector.length; k++) if (Math.abs(vector[k]) > Math.abs(vector[largest])) largest = k;
  return vector[largest] < 0 ? vector.map((value) => -value) : vector;
}

/** Coordinates of a point (`width = mean.length` values from `offset`) in the plane. */
export function projectPoint(plane: PlaneProjection, point: ArrayLike<number>, offset = 0): [number, number] {
  let x = 0;
  let y = 0;
  for (let k = 0; k < plane.mean.length; k++) {
    const centered = point[offset + k] - plane.mean[k];
    x += centered * plane.axes[0][k];
    y += centered * plane.axes[1][k];
  }
  return [x, y];
}
