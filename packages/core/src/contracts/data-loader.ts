import type { Dataset } from './dataset.js';

/** Extension point: reads a file or folder into a {@link Dataset}. */
export const DataLoader = Symbol.for('imdad/DataLoader');

/** Options every loader understands; a loader ignores those that do not apply to it. */
export interface LoadOptions {
  /** CSV: the column holding 0/1 labels (default `label` when present). */
  readonly labelColumn?: string;
  /** IDX: the labels file that goes with an images file. */
  readonly labelsPath?: string;
  /** Images: target size `[height, width]` and channels. */
  readonly imageSize?: readonly [number, number];
  /** Images: 1 for grayscale, 3 for RGB. */
  readonly channels?: 1 | 3;
}

/** A loader plugin: reads one data format into a {@link Dataset}. */
export interface DataLoader {
  /** The name users pick it by (`csv`, `npz`, `idx`, `png`). */
  readonly name: string;
  /** One sentence for listings and docs. */
  readonly description: string;
  /** True when this loader reads `path` (decided from its name, or for folders, its kind). */
  canLoad(path: string, isDirectory: boolean): boolean;
  /** Reads the whole file; bad input fails with an `ImdadError` of kind `input` naming the file. */
  load(path: string, options?: LoadOptions): Promise<Dataset>;
  /** Reads the file in chunks of at most `chunkRows` rows, for scoring files larger than memory. */
  stream?(path: string, chunkRows: number, options?: LoadOptions): AsyncIterable<Dataset>;
}
