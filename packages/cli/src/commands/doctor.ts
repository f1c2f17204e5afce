import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../output.js';

export const doctorCommand: CommandModule<GlobalArgs, GlobalArgs> = {
  command: 'doctor',
  describe: 'show the tensor backends available and chosen, and versions',
  builder: (argv) => argv.strict(),
  handler: async (args) => (await import('../actions/doctor.js')).doctor(args),
};
