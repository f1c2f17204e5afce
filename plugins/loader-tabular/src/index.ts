import type { PluginManifest } from '@imdad/core';

export { default } from './loader-tabular-module.js';

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = {
  name: 'loader-tabular',
  kind: 'loader',
  description: 'Tabular data loaders: CSV with a header row, NumPy .npy arrays and .npz archives (ADBench X/y)',
  provides: ['csv', 'npy', 'npz'],
};

export { CsvLoader, CsvTableReader, DEFAULT_LABEL_COLUMN } from './csv-loader.js';
export { CsvRecordParser, type CsvRecordHandler } from './csv-parser.js';
export { NpyLoader, NpzLoader, npyDataset, npzDataset } from './npy-loader.js';
export { parseNpy, halfToFloat, type NpyArray } from './npy.js';
export { readNpz, readZipDirectory, extractZipEntry, crc32, type ZipEntry } from './npz.js';
