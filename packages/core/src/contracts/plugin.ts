import type { ContainerModule } from 'inversify';

/** The extension points a plugin can contribute to. */
export const PLUGIN_KINDS = ['encoder', 'head', 'loader', 'explainer', 'trainer'] as const;
/** What a plugin contributes: which extension point it binds to. */
export type PluginKind = (typeof PLUGIN_KINDS)[number];

/**
 * What a plugin package exports by name as `manifest`, beside its default
 * export, the `ContainerModule` that binds its contributions.
 */
export interface PluginManifest {
  /** Short name, e.g. `backbone-mlp`. */
  readonly name: string;
  /** The extension point it serves. */
  readonly kind: PluginKind;
  /** One sentence for `imdad plugins`. */
  readonly description: string;
  /** Names of the contributions it binds (e.g. `['mlp']` or `['csv', 'npy', 'npz']`). */
  readonly provides: readonly string[];
}

/** A plugin after loading: its manifest, its module and where it came from. */
export interface LoadedPlugin {
  /** The manifest the plugin exports. */
  readonly manifest: PluginManifest;
  /** The plugin's default export, which binds its contributions. */
  readonly module: ContainerModule;
  /** The package name or path it was loaded from. */
  readonly packageName: string;
  /** The specifier the user wrote (`mlp`, `@acme/foo`, `./my-plugin`). */
  readonly requested: string;
}
