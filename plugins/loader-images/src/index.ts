/**
 * `@imdad/loader-images` (work in progress).
 *
 * @packageDocumentation
 */
import type { PluginManifest } from '@imdad/core';
import { ContainerModule } from 'inversify';

export default new ContainerModule(() => {});

/** What `imdad plugins` shows for this plugin. */
export const manifest: PluginManifest = { name: 'loader-images', kind: 'loader', description: 'not yet implemented', provides: [] };
