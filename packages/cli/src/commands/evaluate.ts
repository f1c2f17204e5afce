import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR, DEMO_TEST } from '../demo-data.js';
import type { GlobalArgs } from '../output.js';

export interface EvaluateArgs extends GlobalArgs {
  model: string;
  data: string;
  labelColumn?: string;
}

export const evaluateCommand: CommandModule<GlobalArgs, EvaluateArgs> = {
  command: 'evaluate',
  describe: 'score labeled rows and report AUROC, AUPRC and F1 at the model\'s own threshold',
  builder: (argv) =>
    argv
      .option('model', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory' })
      .option('data', { type: 'string', default: DEMO_TEST, defaultDescription: 'the bundled cardio test rows', describe: 'labeled rows (1 = anomaly)' })
      .option('label-column', { type: 'string', describe: 'CSV label column (default: label)' })
      .strict() as never,
  handler: async (args) => (await import('../actions/evaluate.js')).evaluate(args),
};
