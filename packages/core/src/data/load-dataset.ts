import { stat } from 'node:fs/promises';
import type { Container } from 'inversify';
import { DataLoader, type LoadOptions } from '../contracts/data-loader.js';
import type { Dataset } from '../contracts/dataset.js';
import { listContributions } from '../contributions.js';
import { ImdadError } from '../errors.js';

/** The loader that reads `file`; an unknown kind of file fails with the kinds that can be read. */
export async function loaderFor(container: Container, file: string): Promise<DataLoader> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(file)).isDirectory();
  } catch {
    throw new ImdadError('input', `${file}: no such file or folder`);
  }
  const loaders = listContributions<DataLoader>(container, DataLoader);
  const loader = loaders.find((l) => l.canLoad(file, isDirectory));
  if (!loader) {
    const known = loaders.map((l) => l.name).join(', ') || 'none';
    throw new ImdadError('input', `${file}: no loader reads this kind of file (loaders: ${known})`);
  }
  return loader;
}

/** Reads a data file with the loader that fits it. */
export async function loadDataset(container: Container, file: string, options?: LoadOptions): Promise<Dataset> {
  return (await loaderFor(container, file)).load(file, options);
}
