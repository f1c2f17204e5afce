import type { CommandModule } from 'yargs';
import { DEFAULT_MODEL_DIR } from '../demo-data.js';
import { withDataOptions, type DataFlags } from '../data-options.js';
import type { GlobalArgs } from '../output.js';

export interface ScoreArgs extends GlobalArgs, DataFlags {
  model: string;
  data: string;
  out?: string;
  chunkRows: number;
}

export const scoreCommand: CommandModule<GlobalArgs, ScoreArgs> = {
  command: 'score',
  describe: 'score rows (streaming for large files): score > 0 means outside the sphere, an anomaly',
  builder: (argv) =>
    withDataOptions(argv)
      .option('model', { type: 'string', default: DEFAULT_MODEL_DIR, describe: 'model directory' })
      .option('data', { type: 'string', demandOption: true, describe: 'rows to score' })
      .option('out', { type: 'string', describe: 'write scores to this CSV file (written atomically)' })
      .option('chunk-rows', { type: 'number', default: 8192, describe: 'rows read and scored at a time' })
      .strict() as never,
  handler: async (args) => (await import('../actions/score.js')).score(args),
};
