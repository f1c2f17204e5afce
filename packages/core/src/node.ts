/**
 * `@imdad/core/node`: the parts of core that need Node's file system —
 * plugins resolved by name, the model store on disk, training checkpoints,
 * data files read through the loaders, and the file helpers loaders share.
 * Everything else is `@imdad/core`, which also runs in browsers.
 *
 * @packageDocumentation
 */
export { loadPlugin, loadPlugins, pluginPackageCandidates } from './plugins/resolve.js';
export { assertModelDirectoryReplaceable, saveModel, loadModel, readManifest } from './model/store.js';
export { checkpointDirFor, hasCheckpoint, readCheckpoint, removeCheckpoint, saveCheckpoint } from './training/checkpoint.js';
export { loaderFor, loadDataset } from './data/load-dataset.js';
export { assertReplaceableDirectory, writeDirectoryAtomically, type OwnedDirectory } from './io/atomic-directory.js';
export { checkChunkRows, chunkDataset, describeIoError, readInputFile } from './io/input-files.js';
