/**
 * `@imdad/cli`: the `imdad` command line.
 *
 * @packageDocumentation
 */
export { main, withGlobalOptions } from './main.js';
export { BUILT_IN_PLUGINS, loadConfig, rcSchema, type RcConfig, type LoadedConfig } from './config.js';
