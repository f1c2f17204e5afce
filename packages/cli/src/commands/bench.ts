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
  /** `--suite mnist`: the folder (or IDX images file) with the digits. */
  data?: string;
  /** `--suite mnist`: the normal classes to run, comma-separated (default: all). */
  classes?: string;
}

export const benchCommand: CommandModule<GlobalArgs, BenchArgs> = {
  command: 'bench',
  describe: 'run the ADBench semi-supervised protocol (70/30 split, nla labeled anomalies) on every .npz given, or with --suite mnist the MNIST one-vs-rest protocol',
  builder: (argv) =>
    argv
      .option('suite', { type: 'string', array: true, demandOption: true, describe: 'folders or .npz files, or mnist (with --data)' })
      .option('nla', { type: 'number', default: 10, describe: 'labeled training anomalies (a value below 1 is a share)' })
      .option('seeds', { type: 'string', default: '0,1,2', describe: 'comma-separated seeds' })
      .option('heads', { type: 'string', default: 'logistic', describe: 'comma-separated heads to compare' })
      .option('backbone', { type: 'string', describe: 'encoder (default: mlp; cnn for --suite mnist)' })
      .option('epochs', { type: 'number', describe: 'training epochs (default: the trainer\'s)' })
      .option('batch-size', { type: 'number', describe: 'mini-batch size' })
      .option('exclude', { type: 'string', default: '11_donors', describe: 'comma-separated dataset names to skip (11_donors is for scale)' })
      .option('out', { type: 'string', describe: 'also append the JSON lines to this file' })
      .option('data', { type: 'string', describe: '--suite mnist: folder with t10k-images-idx3-ubyte.gz and its labels (or an IDX images file, or a PNG folder with one sub-folder per class)' })
      .option('classes', { type: 'string', describe: '--suite mnist: normal classes to run, comma-separated (default: all)' })
      .strict() as never,
  handler: async (args) =>
    (await import('../actions/bench.js')).bench({ ...args, backbone: args.backbone ?? (args.suite.includes('mnist') ? 'cnn' : 'mlp') }),
};
