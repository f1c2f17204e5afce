import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR } from '../demo-data.js';
import { withDataOptions, type DataFlags } from '../data-options.js';
import type { GlobalArgs } from '../output.js';

export interface ExplainArgs extends GlobalArgs, DataFlags {
  model: string;
  data: string;
  out: string;
  rows?: string | string[];
  method?: string;
  steps?: number;
  explainer: string;
}

export const explainCommand: CommandModule<GlobalArgs, ExplainArgs> = {
  command: 'explain',
  describe: 'explain why rows score as they do (score decomposition, input attributions) and write an HTML report',
  builder: (argv) =>
    withDataOptions(argv)
      .option('model', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory' })
      .option('data', { type: 'string', demandOption: true, describe: 'rows to explain from (.csv, .npy, .npz, ...); labels, when present, colour the pictures' })
      .option('out', { type: 'string', demandOption: true, describe: 'report folder to write (atomically); open OUT/index.html' })
      .option('rows', {
        type: 'string',
        describe: 'rows to explain, 0-based, comma-separated (default: the 5 highest-scoring and the 2 lowest-scoring rows)',
      })
      .option('method', {
        type: 'string',
        describe: 'attributions: integrated-gradients (default; from the normal reference row stored with the model), gradient, gradient-x-input',
      })
      .option('steps', { type: 'number', describe: 'integrated gradients: points on the path (default 64)' })
      .option('explainer', { type: 'string', default: 'default', describe: 'explainer plugin to use' })
      .strict() as never,
  handler: async (args) => (await import('../actions/explain.js')).explain(args),
};
