import yargs, { type Argv } from 'yargs';
import { BACKEND_NAMES, ImdadError } from '@imdad/core';
import { commands } from './commands/index.js';
import { reportError } from './output.js';

/** Flags every command takes (see the CLI contract). */
export function withGlobalOptions(argv: Argv): Argv {
  return argv
    .option('config', { type: 'string', describe: 'rc file to use (default: search from the working directory)' })
    .option('json', { type: 'boolean', describe: 'machine output on stdout; progress and logs go to stderr' })
    .option('quiet', { type: 'boolean', describe: 'print nothing but errors' })
    .option('verbose', { type: 'boolean', describe: 'stack traces on errors' })
    .option('seed', { type: 'number', describe: 'random seed (splits, initialisation, batches)' })
    .option('backend', { type: 'string', choices: ['auto', ...BACKEND_NAMES], describe: 'tensor backend (default: env IMDAD_BACKEND, then the rc file, then auto)' });
}

/** Runs the CLI on `args` and returns the exit code (0 success, 1 runtime failure, 2 usage or input error). */
export async function main(args: string[]): Promise<number> {
  const verbose = args.includes('--verbose');
  const parser = withGlobalOptions(yargs(args))
    .scriptName('imdad')
    .usage('$0 <command> [options]\n\nInterpretable maximum-margin deep anomaly detection.')
    .command(commands)
    .demandCommand(1, 'name a command (imdad --help lists them)')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 100))
    // Throwing stops yargs before it runs the command: a bad flag must not train anything.
    .fail((message, error) => {
      throw error ?? new ImdadError('usage', message);
    })
    .exitProcess(false);
  try {
    await parser.parseAsync();
  } catch (error) {
    return reportError(error, verbose);
  }
  return Number(process.exitCode ?? 0);
}
