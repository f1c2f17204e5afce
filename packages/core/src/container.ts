import { Container } from 'inversify';
import { DataLoader } from './contracts/data-loader.js';
import { Encoder } from './contracts/encoder.js';
import { Explainer } from './contracts/explainer.js';
import { Head } from './contracts/head.js';
import type { LoadedPlugin } from './contracts/plugin.js';
import { Trainer } from './contracts/trainer.js';
import { assertUniqueNames } from './contributions.js';
import { corePlugins } from './core-plugins.js';
import { loadPlugin } from './plugins/resolve.js';

/** What `createContainer` loads: the configured plugins and where to find them. */
export interface ContainerConfig {
  /** Plugin names, as written in the rc file (`mlp`, `@acme/foo`, `./my-plugin`). */
  readonly plugins?: readonly string[];
  /**
   * Folders to resolve plugin packages from, in order (the rc file's folder or
   * the working directory first, then the CLI's own install).
   */
  readonly resolveFrom?: readonly string[];
}

/** A ready container and the plugins loaded into it. */
export interface ImdadContainer {
  /** The inversify container with every contribution bound. */
  readonly container: Container;
  /** Core's own contributions first, then the configured plugins in order. */
  readonly plugins: readonly LoadedPlugin[];
}

/** A container with core's heads and trainer bound, plus every configured plugin loaded. */
export async function createContainer(config: ContainerConfig = {}): Promise<ImdadContainer> {
  const container = new Container({ defaultScope: 'Singleton' });
  const resolveFrom = config.resolveFrom ?? [process.cwd()];
  const plugins: LoadedPlugin[] = [...corePlugins];
  for (const name of new Set(config.plugins ?? [])) {
    plugins.push(await loadPlugin(name, resolveFrom));
  }
  for (const plugin of plugins) container.load(plugin.module);
  assertUniqueNames(container, Encoder, 'backbone');
  assertUniqueNames(container, Head, 'head');
  assertUniqueNames(container, Trainer, 'trainer');
  assertUniqueNames(container, Explainer, 'explainer');
  assertUniqueNames(container, DataLoader, 'data loader');
  return { container, plugins };
}
