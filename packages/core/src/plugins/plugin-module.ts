import type { ContainerModule } from 'inversify';
import { PLUGIN_KINDS, type LoadedPlugin, type PluginManifest } from '../contracts/plugin.js';
import { ImdadError } from '../errors.js';

/** What a plugin's module exports, as imported: checked by {@link pluginFromModule}. */
export interface PluginModule {
  /** The `ContainerModule` that binds the plugin's contributions. */
  readonly default?: unknown;
  /** The plugin's {@link PluginManifest}. */
  readonly manifest?: unknown;
}

/** Duck-typed, so that a plugin built against another copy of inversify still loads. */
function isContainerModule(value: unknown): value is ContainerModule {
  return typeof value === 'object' && value !== null && typeof (value as ContainerModule).load === 'function';
}

function validManifest(value: unknown): value is PluginManifest {
  const m = value as PluginManifest | undefined;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.name === 'string' &&
    typeof m.description === 'string' &&
    (PLUGIN_KINDS as readonly string[]).includes(m.kind) &&
    Array.isArray(m.provides)
  );
}

/**
 * Checks an imported plugin module (`import * as mlp from '@imdad/backbone-mlp'`)
 * and makes it a {@link LoadedPlugin} for `createContainer`. Works without a
 * file system: bundled apps pass plugins this way instead of by name.
 */
export function pluginFromModule(exports: PluginModule, packageName = 'a plugin module', requested = packageName): LoadedPlugin {
  if (!isContainerModule(exports.default) || !validManifest(exports.manifest)) {
    throw new ImdadError(
      'plugin-invalid',
      `plugin "${requested}" (${packageName}) must export a ContainerModule as default and a manifest { name, kind, description, provides }`,
    );
  }
  return { manifest: exports.manifest, module: exports.default, packageName, requested };
}
