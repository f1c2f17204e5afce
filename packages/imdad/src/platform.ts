import { ImdadError, pluginFromModule, type Detector as TrainedModel, type LoadedPlugin } from '@imdad/core';
import type { Container } from 'inversify';
import * as cnn from '@imdad/backbone-cnn';
import * as mlp from '@imdad/backbone-mlp';
import * as resnet from '@imdad/backbone-resnet';
import * as explainer from '@imdad/explainer-default';
import { loadModelFromUrl } from './model-url.js';

/**
 * What differs between Node and browsers, set once by the entry point that
 * was imported: `imdad` in a browser (this default) or `imdad` / `imdad/node`
 * in Node, which adds the file loaders, plugins by name and the model store on disk.
 */
export interface Platform {
  /** The plugins every detector gets. */
  readonly builtInPlugins: readonly LoadedPlugin[];
  /** Loads plugins given by name (`imdad-plugin-foo`, `./my-plugin`). */
  loadPlugins(names: readonly string[]): Promise<LoadedPlugin[]>;
  /** Writes a model to a folder. */
  saveModel(model: TrainedModel, dir: string): Promise<void>;
  /** Reads a model from a folder, or a URL where the platform has no folders. */
  loadModel(container: Container, dir: string): Promise<TrainedModel>;
}

/** The backbones and the explainer: all of them run in browsers. */
export const BROWSER_PLUGINS: readonly LoadedPlugin[] = [
  pluginFromModule(mlp, '@imdad/backbone-mlp', 'backbone-mlp'),
  pluginFromModule(cnn, '@imdad/backbone-cnn', 'backbone-cnn'),
  pluginFromModule(resnet, '@imdad/backbone-resnet', 'backbone-resnet'),
  pluginFromModule(explainer, '@imdad/explainer-default', 'explainer-default'),
];

const browser: Platform = {
  builtInPlugins: BROWSER_PLUGINS,
  async loadPlugins(names) {
    throw new ImdadError('usage', `plugins by name (${names.join(', ')}) need Node; in a browser pass the imported module: plugins: [await import('${names[0]}')]`);
  },
  async saveModel() {
    throw new ImdadError('usage', 'save(dir) writes files and needs Node; in a browser use detector.toFiles() and store the two files yourself');
  },
  // In a browser every model address is a URL, relative ones included.
  loadModel: loadModelFromUrl,
};

let current: Platform = browser;

/** The platform detectors use now. */
export function platform(): Platform {
  return current;
}

/** Installs the Node platform (called by the `imdad/node` entry when it is imported). */
export function setPlatform(next: Platform): void {
  current = next;
}
