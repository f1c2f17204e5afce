import type { LoadOptions } from '@imdad/core';
import type { Argv } from 'yargs';

/** The flags that say how to read a data file, shared by every command that reads one. */
export interface DataFlags {
  labelColumn?: string;
  labels?: string;
}

/** Adds `--label-column` (CSV) and `--labels` (the labels file of an IDX images file). */
export function withDataOptions<T>(argv: Argv<T>): Argv<T & DataFlags> {
  return argv
    .option('label-column', { type: 'string', describe: 'CSV column holding the 0/1 labels (default: label)' })
    .option('labels', { type: 'string', describe: 'IDX labels file (default: the *-labels-idx1-ubyte file beside the images)' }) as Argv<
    T & DataFlags
  >;
}

/**
 * Loader options from the flags; with a model's input shape, images are also
 * read at the model's size and channels (a PNG folder of another size is resized).
 */
export function loadOptions(flags: DataFlags, inputShape?: readonly number[], labelColumn = flags.labelColumn): LoadOptions {
  const image = inputShape?.length === 3 && (inputShape[2] === 1 || inputShape[2] === 3);
  return {
    labelColumn,
    labelsPath: flags.labels,
    ...(image && { imageSize: [inputShape[0], inputShape[1]] as const, channels: inputShape[2] as 1 | 3 }),
  };
}
