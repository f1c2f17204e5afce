import { injectable } from 'inversify';
import { ImdadError } from '@imdad/core';
import type { DataLoader, Dataset, LoadOptions } from '@imdad/core';
import { chunkDataset, checkChunkRows, readInputFile } from './io.js';
import { isFiniteFloat32, parseNpy, type NpyArray } from './npy.js';
import { readNpz, readZipDirectory } from './npz.js';

function fail(path: string, message: string): never {
  throw new ImdadError('input', `${path}: ${message}`);
}

function describeShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Rows of a 1-D (n → n×1) or 2-D (n×d) feature array, refusing NaN and ±Infinity. */
function featureRows(array: NpyArray, path: string, what: string): { n: number; d: number } {
  let n: number;
  let d: number;
  if (array.shape.length === 2) [n, d] = array.shape;
  else if (array.shape.length === 1) [n, d] = [array.shape[0], 1];
  else fail(path, `${what} has shape ${describeShape(array.shape)}; expected a 2-D array (rows × features)`);
  if (n === 0) fail(path, `${what} has no rows (shape ${describeShape(array.shape)})`);
  if (d === 0) fail(path, `${what} has no features (shape ${describeShape(array.shape)})`);
  const { data } = array;
  for (let k = 0; k < data.length; k++) {
    if (!isFiniteFloat32(data[k])) {
      const value = Number.isNaN(data[k]) ? 'NaN' : 'infinite (or beyond float32 range)';
      fail(path, `${what}[${Math.floor(k / d)}, ${k % d}] (row ${Math.floor(k / d)}, column ${k % d}) is ${value}; only finite values are allowed`);
    }
  }
  return { n, d };
}

/** Reads `.npy` files: one numeric array of features, 2-D (rows × features) or 1-D (one feature). */
@injectable()
export class NpyLoader implements DataLoader {
  readonly name = 'npy';
  readonly description = 'NumPy .npy array of features (2-D rows × features, or 1-D), any numeric dtype';

  canLoad(path: string, isDirectory: boolean): boolean {
    return !isDirectory && path.toLowerCase().endsWith('.npy');
  }

  async load(path: string, _options?: LoadOptions): Promise<Dataset> {
    const array = parseNpy(await readInputFile(path), path);
    const { n, d } = featureRows(array, path, 'the array');
    return { x: array.data, n, sampleShape: [d], source: path };
  }

  async *stream(path: string, chunkRows: number, options?: LoadOptions): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    yield* chunkDataset(await this.load(path, options), chunkRows);
  }
}

/** Reads `.npz` files as ADBench ships them: features `X` (2-D) and optional 0/1 labels `y` (1 = anomaly). */
@injectable()
export class NpzLoader implements DataLoader {
  readonly name = 'npz';
  readonly description = 'NumPy .npz archive with features X (rows × features) and optional 0/1 labels y, as in ADBench';

  canLoad(path: string, isDirectory: boolean): boolean {
    return !isDirectory && path.toLowerCase().endsWith('.npz');
  }

  async load(path: string, _options?: LoadOptions): Promise<Dataset> {
    const bytes = await readInputFile(path);
    const arrays = readNpz(bytes, path, ['X', 'y']);
    const X = arrays.get('X');
    if (!X) {
      const names = readZipDirectory(bytes, path)
        .map((entry) => entry.name.replace(/\.npy$/, ''))
        .join(', ');
      fail(
        path,
        `has no array named 'X' (the features), only: ${names || 'none'}; save it with np.savez(path, X=features, y=labels)`,
      );
    }
    if (X.shape.length !== 2) {
      fail(path, `X has shape ${describeShape(X.shape)}; expected a 2-D array (rows × features)`);
    }
    const { n, d } = featureRows(X, path, 'X');
    const yArray = arrays.get('y');
    if (!yArray) return { x: X.data, n, sampleShape: [d], source: path };

    const yShape = yArray.shape;
    const column = yShape.length === 1 || (yShape.length === 2 && yShape[1] === 1);
    if (!column) fail(path, `y has shape ${describeShape(yShape)}; expected one label per row, shape (${n},)`);
    if (yShape[0] !== n) fail(path, `X has ${n} rows but y has ${yShape[0]} labels; they must match`);
    const y = new Uint8Array(n);
    const labels = yArray.data;
    for (let i = 0; i < n; i++) {
      const v = labels[i];
      if (v === 1) y[i] = 1;
      else if (v !== 0) fail(path, `y[${i}] (row ${i}) is ${v}; labels must be 0 (normal) or 1 (anomaly)`);
    }
    return { x: X.data, n, sampleShape: [d], y, source: path };
  }

  async *stream(path: string, chunkRows: number, options?: LoadOptions): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    yield* chunkDataset(await this.load(path, options), chunkRows);
  }
}
