import { readFile } from 'node:fs/promises';
import { ImdadError } from '@imdad/core';

/** The whole file; a missing or unreadable file fails as an `input` error naming it. */
export async function readInputFile(file: string): Promise<Uint8Array> {
  try {
    return await readFile(file);
  } catch (error) {
    throw new ImdadError('input', `cannot read ${file}: ${describeIoError(error)}`, { cause: error });
  }
}

/** A short reason for a failed read, in words. */
export function describeIoError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a folder, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message.split('\n')[0] : String(error);
}

/** A positive integer row count for `stream`, or a `usage` error. */
export function checkChunkRows(chunkRows: number): void {
  if (!Number.isSafeInteger(chunkRows) || chunkRows < 1) {
    throw new ImdadError('usage', `chunk size must be a positive whole number of rows, got ${chunkRows}`);
  }
}
