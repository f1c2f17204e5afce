import { fileURLToPath } from 'node:url';
import path from 'node:path';
import {
  ImdadError,
  backendFromEnvironment,
  createContainer,
  isBackendPreference,
  useBackend,
  type BackendName,
  type ImdadContainer,
} from '@imdad/core';
import { loadPlugins } from '@imdad/core/node';
import { BUILT_IN_PLUGINS, loadConfig, type RcConfig } from './config.js';
import { Output, type GlobalArgs } from './output.js';

/** The CLI's own folder: built-in plugins resolve from here when the user's project lacks them. */
const CLI_DIR = path.dirname(fileURLToPath(import.meta.url));

/** Everything a command needs: merged config (flags > rc file > defaults), the container and the output. */
export interface CommandContext {
  readonly config: RcConfig;
  readonly configFile?: string;
  readonly output: Output;
  readonly imdad: ImdadContainer;
}

/** Loads config and plugins; `withBackend` also selects the tensor backend. */
export async function createContext(args: GlobalArgs, withBackend = true): Promise<CommandContext & { backend?: BackendName }> {
  const loaded = await loadConfig(args.config);
  const config: RcConfig = {
    ...loaded.config,
    seed: args.seed ?? loaded.config.seed,
    // flag > IMDAD_BACKEND > rc file > auto
    backend: (args.backend as RcConfig['backend'] | undefined) ?? backendFromEnvironment() ?? loaded.config.backend,
  };
  if (!Number.isInteger(config.seed) || config.seed < 0) {
    throw new ImdadError('usage', `--seed must be a non-negative integer (got ${args.seed})`);
  }
  if (!isBackendPreference(config.backend)) throw new ImdadError('usage', `unknown backend ${config.backend}`);
  const imdad = await createContainer({ plugins: await loadPlugins([...BUILT_IN_PLUGINS, ...config.plugins], [loaded.baseDir, CLI_DIR]) });
  const backend = withBackend ? await useBackend(config.backend) : undefined;
  return { config, configFile: loaded.filepath, output: new Output(args), imdad, backend };
}
