import { Container } from 'inversify';
import { DataLoader } from './contracts/data-loader.js';
import { Encoder } from './contracts/encoder.js';
import { Explainer } from './contracts/explainer.js';
import { Head } from './contracts/head.js';
import type { LoadedPlugin } from './contracts/plugin.js';
import { Trainer } from './contracts/trainer.js';
import { assertUniqueNames } from './contributions.js';
import { corePlugins } from './core-plugins.js';

/** What `createContainer` loads besides core's own contributions. */
export interface ContainerConfig {
  /**
   * Plugins, loaded: by name with `loadPlugins` of `@imdad/core/node`, or from
   * imported modules with {@link pluginFromModule} (bundled apps, browsers).
   */
  readonly plugins?: readonly LoadedPlugin[];
}

/** A ready container and the plugins loaded into it. */
export interface ImdadContainer {
  /** The inversify container with every contribution bound. */
  readonly container: Container;
  /** Core's own contributions first, then the configured plugins in order. */
  readonly plugins: readonly LoadedPlugin[];
}

/**
 * A container with core's heads and trainer bound, plus the given plugins; two
 * contributions of one kind under the same name are refused.
 */
export async function createContainer(config: ContainerConfig = {}): Promise<ImdadContainer> {
  const container = new Container({ defaultScope: 'Singleton' });
  const plugins: LoadedPlugin[] = [...corePlugins];
  for (const plugin of config.plugins ?? []) {
    // The same module twice (a built-in also named in a config) binds once.
    if (!plugins.some((p) => p.module === plugin.module)) plugins.push(plugin);
  }
  for (const plugin of plugins) container.load(plugin.module);
  assertUniqueNames(container, Encoder, 'backbone');
  assertUniqueNames(container, Head, 'head');
  assertUniqueNames(container, Trainer, 'trainer');
  assertUniqueNames(container, Explainer, 'explainer');
  assertUniqueNames(container, DataLoader, 'data loader');
  return { container, plugins };
}
