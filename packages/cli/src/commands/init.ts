import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../output.js';

export interface InitArgs extends GlobalArgs {
  file: string;
  force?: boolean;
}

export const initCommand: CommandModule<GlobalArgs, InitArgs> = {
  command: 'init',
  describe: 'write a commented starter rc file',
  builder: (argv) =>
    argv
      .option('file', { type: 'string', default: 'imdad.config.mjs', describe: 'file to write' })
      .option('force', { type: 'boolean', describe: 'overwrite an existing file' })
      .strict() as never,
  handler: async (args) => (await import('../actions/init.js')).init(args),
};
