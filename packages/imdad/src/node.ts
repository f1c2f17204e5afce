/**
 * `imdad/node` (what `import … from 'imdad'` gives in Node): the library of
 * the browser entry, with the Node platform installed — `save(dir)` and
 * `Detector.load(dir)` on disk, plugins by name, and the file loaders for
 * {@link readData}.
 *
 * @packageDocumentation
 */
import { createContainer, pluginFromModule, type LoadOptions as DataLoadOptions } from '@imdad/core';
import { loadDataset, loadModel, loadPlugins, saveModel } from '@imdad/core/node';
import * as imageLoaders from '@imdad/loader-images';
import * as tabularLoaders from '@imdad/loader-tabular';
import type { ShapedArray } from './inputs.js';
import { isHttpUrl, loadModelFromUrl } from './model-url.js';
import { BROWSER_PLUGINS, setPlatform } from './platform.js';

export * from './index.js';

/** The browser's built-ins plus the file loaders (CSV, .npy, .npz, IDX, PNG folders). */
const NODE_PLUGINS = [
  ...BROWSER_PLUGINS,
  pluginFromModule(tabularLoaders, '@imdad/loader-tabular', 'loader-tabular'),
  pluginFromModule(imageLoaders, '@imdad/loader-images', 'loader-images'),
];

setPlatform({
  builtInPlugins: NODE_PLUGINS,
  loadPlugins: (names) => loadPlugins(names, [process.cwd()]),
  saveModel,
  loadModel: (container, source) => (isHttpUrl(source) ? loadModelFromUrl(container, source) : loadModel(container, source)),
});

/** Rows as float32 values with their shape. */
export interface FloatRows extends ShapedArray {
  /** The values, row-major. */
  readonly data: Float32Array;
}

/** What {@link readData} returns: rows and labels in the forms `Detector.fit` takes. */
export interface DataFile {
  /** The rows, `{ data, shape: [rows, ...sampleShape] }`. */
  readonly x: FloatRows;
  /** The labels (1: labeled anomaly, 0: unlabeled), when the file has them. */
  readonly y?: Uint8Array;
  /** The CSV header's feature names, when the file has them. */
  readonly featureNames?: readonly string[];
}

/**
 * Reads a data file with imdad's loaders (CSV, .npy, .npz, IDX, a PNG folder):
 * `x` and `y` fit `detector.fit(x, y)` as they are.
 *
 * ```ts
 * const { x, y, featureNames } = await readData('cardio.csv', { labelColumn: 'y' });
 * await detector.fit(x, y, { featureNames });
 * ```
 */
export async function readData(
  file: string,
  options: DataLoadOptions = {},
): Promise<DataFile> {
  const { container } = await createContainer({ plugins: NODE_PLUGINS });
  const dataset = await loadDataset(container, file, options);
  return { x: { data: dataset.x, shape: [dataset.n, ...dataset.sampleShape] }, y: dataset.y, featureNames: dataset.featureNames };
}
