/** File reading helpers every data loader shares: errors that name the file, chunk checks and views. */
import { readFile } from 'node:fs/promises';
import type { Dataset } from '../contracts/dataset.js';
import { sampleSize } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';

/** The whole file; a missing or unreadable file fails as an `input` error naming it. */
export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new ImdadError('input', `cannot read ${path}: ${describeIoError(err)}`, { cause: err });
  }
}

/** A short reason for a failed read, in words. */
export function describeIoError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** A positive integer row count for `stream`, or a `usage` error. */
export function checkChunkRows(chunkRows: number): void {
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
    throw new ImdadError('usage', `chunk size must be a positive whole number of rows, got ${chunkRows}`);
  }
}

/** Consecutive views of at most `chunkRows` rows of `dataset`; nothing is copied. */
export function* chunkDataset(dataset: Dataset, chunkRows: number): Generator<Dataset> {
  checkChunkRows(chunkRows);
  const width = sampleSize(dataset.sampleShape);
  for (let start = 0; start < dataset.n; start += chunkRows) {
    const end = Math.min(dataset.n, start + chunkRows);
    yield {
      ...dataset,
      x: dataset.x.subarray(start * width, end * width),
      n: end - start,
      ...(dataset.y ? { y: dataset.y.subarray(start, end) } : {}),
      ...(dataset.classes ? { classes: dataset.classes.subarray(start, end) } : {}),
    };
  }
}
