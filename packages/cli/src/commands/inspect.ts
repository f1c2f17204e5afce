import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR } from '../demo-data.js';
import type { GlobalArgs } from '../output.js';

export interface InspectArgs extends GlobalArgs {
  model: string;
}

export const inspectCommand: CommandModule<GlobalArgs, InspectArgs> = {
  command: 'inspect',
  describe: 'show what a model is: backbone, head, center and radius read from its weights',
  builder: (argv) => argv.option('model', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory' }).strict() as never,
  handler: async (args) => (await import('../actions/inspect.js')).inspect(args),
};
