import { open, type FileHandle } from 'node:fs/promises';
import { injectable } from 'inversify';
import { ImdadError, type DataLoader, type Dataset, type LoadOptions } from '@imdad/core';
import { checkChunkRows, chunkDataset, describeIoError, readInputFile } from '@imdad/core/node';
import {
  NPY_PREAMBLE_BYTES,
  checkNpyDataLength,
  decodeNpyValues,
  isFiniteFloat32,
  npyDataStart,
  parseNpy,
  parseNpyHeader,
  type NpyArray,
} from './npy.js';
import { readNpz, readZipDirectory } from './npz.js';

function fail(path: string, message: string): never {
  throw new ImdadError('input', `${path}: ${message}`);
}

function describeShape(shape: readonly number[]): string {
  return `(${shape.join(', ')}${shape.length === 1 ? ',' : ''})`;
}

/** Rows and features of a 1-D (n → n×1) or 2-D (n×d) feature array. */
function featureShape(shape: readonly number[], path: string, what: string): { n: number; d: number } {
  let n: number;
  let d: number;
  if (shape.length === 2) [n, d] = shape;
  else if (shape.length === 1) [n, d] = [shape[0], 1];
  else fail(path, `${what} has shape ${describeShape(shape)}; expected a 2-D array (rows × features)`);
  if (n === 0) fail(path, `${what} has no rows (shape ${describeShape(shape)})`);
  if (d === 0) fail(path, `${what} has no features (shape ${describeShape(shape)})`);
  return { n, d };
}

/** Refuses NaN and ±Infinity in rows of `d` values, the first of which is row `firstRow` of the file. */
function checkFinite(data: Float32Array, d: number, firstRow: number, path: string, what: string): void {
  for (let k = 0; k < data.length; k++) {
    if (!isFiniteFloat32(data[k])) {
      const value = Number.isNaN(data[k]) ? 'NaN' : 'infinite (or beyond float32 range)';
      const row = firstRow + Math.floor(k / d);
      fail(path, `${what}[${row}, ${k % d}] (row ${row}, column ${k % d}) is ${value}; only finite values are allowed`);
    }
  }
}

/** Rows of a 1-D or 2-D feature array, refusing NaN and ±Infinity. */
function featureRows(array: NpyArray, path: string, what: string): { n: number; d: number } {
  const { n, d } = featureShape(array.shape, path, what);
  checkFinite(array.data, d, 0, path, what);
  return { n, d };
}

/** The dataset a `.npy` file's bytes hold: features only. */
export function npyDataset(bytes: Uint8Array, path: string): Dataset {
  const array = parseNpy(bytes, path);
  const { n, d } = featureRows(array, path, 'the array');
  return { x: array.data, n, sampleShape: [d], source: path };
}

/** `length` bytes of an open file from `position` (fewer only at its end). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Uint8Array> {
  const buffer = new Uint8Array(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** The dataset a `.npz` file's bytes hold: features `X` and optional 0/1 labels `y`. */
export function npzDataset(bytes: Uint8Array, path: string): Dataset {
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

/** Reads `.npy` files: one numeric array of features, 2-D (rows × features) or 1-D (one feature). */
@injectable()
export class NpyLoader implements DataLoader {
  readonly name = 'npy';
  readonly description = 'NumPy .npy array of features (2-D rows × features, or 1-D), any numeric dtype';

  canLoad(path: string, isDirectory: boolean): boolean {
    return !isDirectory && path.toLowerCase().endsWith('.npy');
  }

  async load(path: string, _options?: LoadOptions): Promise<Dataset> {
    return npyDataset(await readInputFile(path), path);
  }

  /**
   * Reads `chunkRows` rows at a time from the file: memory stays bounded by
   * the chunk, not the file. (A column-major 2-D array has no contiguous rows:
   * it is read whole.)
   */
  async *stream(path: string, chunkRows: number, options?: LoadOptions): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new ImdadError('input', `cannot read ${path}: ${describeIoError(err)}`, { cause: err });
    }
    try {
      const read = async (position: number, length: number): Promise<Uint8Array> => {
        try {
          return await readAt(handle, position, length);
        } catch (err) {
          throw new ImdadError('input', `cannot read ${path}: ${describeIoError(err)}`, { cause: err });
        }
      };
      const { size } = await handle.stat();
      // A header longer than the file is truncated: read no more than the file holds.
      const headerEnd = Math.min(size, npyDataStart(await read(0, NPY_PREAMBLE_BYTES)));
      const header = parseNpyHeader(await read(0, headerEnd), path);
      checkNpyDataLength(header, size - header.dataStart, path);
      const { n, d } = featureShape(header.shape, path, 'the array');
      if (header.fortranOrder && n > 1 && d > 1) {
        yield* chunkDataset(await this.load(path, options), chunkRows);
        return;
      }
      const rowBytes = d * header.itemSize;
      for (let row = 0; row < n; row += chunkRows) {
        const rows = Math.min(chunkRows, n - row);
        const x = decodeNpyValues(header, await read(header.dataStart + row * rowBytes, rows * rowBytes), 0, rows * d);
        checkFinite(x, d, row, path, 'the array');
        yield { x, n: rows, sampleShape: [d], source: path };
      }
    } finally {
      await handle.close();
    }
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
    return npzDataset(await readInputFile(path), path);
  }

  async *stream(path: string, chunkRows: number, options?: LoadOptions): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    yield* chunkDataset(await this.load(path, options), chunkRows);
  }
}
