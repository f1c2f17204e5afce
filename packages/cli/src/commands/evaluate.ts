import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR, DEMO_TEST } from '../demo-data.js';
import { withDataOptions, type DataFlags } from '../data-options.js';
import type { GlobalArgs } from '../output.js';

export interface EvaluateArgs extends GlobalArgs, DataFlags {
  model: string;
  data: string;
}

export const evaluateCommand: CommandModule<GlobalArgs, EvaluateArgs> = {
  command: 'evaluate',
  describe: 'score labeled rows and report AUROC, AUPRC and F1 at the model\'s own threshold',
  builder: (argv) =>
    withDataOptions(argv)
      .option('model', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory' })
      .option('data', { type: 'string', default: DEMO_TEST, defaultDescription: 'the bundled cardio test rows', describe: 'labeled rows (1 = anomaly)' })
      .strict() as never,
  handler: async (args) => (await import('../actions/evaluate.js')).evaluate(args),
};
