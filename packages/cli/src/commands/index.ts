import type { CommandModule } from 'yargs';
import type { GlobalArgs } from '../output.js';
import { benchCommand } from './bench.js';
import { doctorCommand } from './doctor.js';
import { evaluateCommand } from './evaluate.js';
import { explainCommand } from './explain.js';
import { initCommand } from './init.js';
import { inspectCommand } from './inspect.js';
import { pluginsCommand } from './plugins.js';
import { scoreCommand } from './score.js';
import { trainCommand } from './train.js';

/** Every command, one module each; handlers load lazily so `--help` stays fast. */
export const commands = [
  trainCommand,
  scoreCommand,
  evaluateCommand,
  explainCommand,
  inspectCommand,
  benchCommand,
  doctorCommand,
  pluginsCommand,
  initCommand,
] as unknown as CommandModule<GlobalArgs, GlobalArgs>[];
