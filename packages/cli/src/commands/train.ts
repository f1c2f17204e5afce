import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR } from '../demo-data.js';
import { withDataOptions, type DataFlags } from '../data-options.js';
import type { GlobalArgs } from '../output.js';
import type { TrainingFlags } from '../training-config.js';

/** The flags of `imdad train`. */
export interface TrainArgs extends GlobalArgs, DataFlags, TrainingFlags {
  data?: string;
  out?: string;
  printConfig?: boolean;
  resume?: string;
  checkpointEvery: number;
}

/** Epochs between checkpoints unless `--checkpoint-every` says otherwise. */
export const DEFAULT_CHECKPOINT_EVERY = 5;

export const trainCommand: CommandModule<GlobalArgs, TrainArgs> = {
  command: 'train',
  describe: 'train a detector and save its model directory atomically',
  builder: (argv) =>
    withDataOptions(argv)
      // No yargs defaults for --data and --out: with --resume they come from the checkpoint.
      .option('data', { type: 'string', defaultDescription: 'the bundled cardio demo', describe: 'training data (.csv, .npy, .npz, ...); label 1 = labeled anomaly' })
      .option('out', { type: 'string', defaultDescription: DEFAULT_MODEL_DIR, describe: 'model directory to write' })
      .option('backbone', { type: 'string', describe: 'encoder: mlp, cnn, resnet, or a plugin\'s' })
      .option('head', { type: 'string', describe: 'sslm, svm, logistic, deep-sad, deep-svdd' })
      .option('epochs', { type: 'number', describe: 'training epochs' })
      .option('batch-size', { type: 'number', describe: 'mini-batch size' })
      .option('learning-rate', { type: 'number', describe: 'Adam learning rate' })
      .option('print-config', { type: 'boolean', describe: 'print the merged configuration and exit' })
      .option('checkpoint-every', { type: 'number', default: DEFAULT_CHECKPOINT_EVERY, describe: 'save a checkpoint to <out>.checkpoint/ every N epochs (0: never)' })
      .option('resume', { type: 'string', describe: 'continue the interrupted run whose --out was DIR from its last checkpoint' })
      .strict() as never,
  handler: async (args) => (await import('../actions/train.js')).train(args),
};
