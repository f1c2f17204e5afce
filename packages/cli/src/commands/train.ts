import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR, DEMO_TRAIN } from '../demo-data.js';
import type { GlobalArgs } from '../output.js';

export interface TrainArgs extends GlobalArgs {
  data: string;
  out: string;
  backbone?: string;
  head?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  labelColumn?: string;
  printConfig?: boolean;
}

export const trainCommand: CommandModule<GlobalArgs, TrainArgs> = {
  command: 'train',
  describe: 'train a detector and save its model directory atomically',
  builder: (argv) =>
    argv
      .option('data', { type: 'string', default: DEMO_TRAIN, defaultDescription: 'the bundled cardio demo', describe: 'training data (.csv, .npy, .npz, ...); label 1 = labeled anomaly' })
      .option('out', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory to write' })
      .option('backbone', { type: 'string', describe: 'encoder: mlp, cnn, resnet, or a plugin\'s' })
      .option('head', { type: 'string', describe: 'sslm, svm, logistic, deep-sad, deep-svdd' })
      .option('epochs', { type: 'number', describe: 'training epochs' })
      .option('batch-size', { type: 'number', describe: 'mini-batch size' })
      .option('learning-rate', { type: 'number', describe: 'Adam learning rate' })
      .option('label-column', { type: 'string', describe: 'CSV label column (default: label)' })
      .option('print-config', { type: 'boolean', describe: 'print the merged configuration and exit' })
      .strict() as never,
  handler: async (args) => (await import('../actions/train.js')).train(args),
};
