import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../output.js';

export const pluginsCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'plugins',
  describe: 'list the plugins found, by kind',
  builder: (argv) => argv.strict(),
  handler: async (args) => (await import('../actions/plugins.js')).plugins(args),
};
