import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../output.js';

export interface BenchArgs extends GlobalArgs {
  suite: string[];
  nla: number;
  seeds: string;
  heads: string;
  backbone: string;
  epochs?: number;
  batchSize?: number;
  exclude: string;
  out?: string;
}

export const benchCommand: CommandModule<GlobalArgs, BenchArgs> = {
  command: 'bench',
  describe: 'run the ADBench semi-supervised protocol (70/30 split, nla labeled anomalies) on every .npz given',
  builder: (argv) =>
    argv
      .option('suite', { type: 'string', array: true, demandOption: true, describe: 'folders or .npz files' })
      .option('nla', { type: 'number', default: 10, describe: 'labeled training anomalies (a value below 1 is a share)' })
      .option('seeds', { type: 'string', default: '0,1,2', describe: 'comma-separated seeds' })
      .option('heads', { type: 'string', default: 'logistic', describe: 'comma-separated heads to compare' })
      .option('backbone', { type: 'string', default: 'mlp', describe: 'encoder' })
      .option('epochs', { type: 'number', describe: 'training epochs (default: the trainer\'s)' })
      .option('batch-size', { type: 'number', describe: 'mini-batch size' })
      .option('exclude', { type: 'string', default: '11_donors', describe: 'comma-separated dataset names to skip (11_donors is for scale)' })
      .option('out', { type: 'string', describe: 'also append the JSON lines to this file' })
      .strict() as never,
  handler: async (args) => (await import('../actions/bench.js')).bench(args),
};
