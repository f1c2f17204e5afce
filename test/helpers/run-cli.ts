import { fileURLToPath } from 'node:url';
import { runProcess, type ProcessResult, type RunOptions } from './run-process.js';

/** The repository's CLI entry (it imports the build, so `npm run build` must have run). */
export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/bin/imdad.js', import.meta.url));

/** The repository root (the folder holding `packages/` and `test/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type RunCliOptions = RunOptions;
export type CliResult = ProcessResult;

/** Runs `node packages/cli/bin/imdad.js ...args` and collects its exit code and output. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runProcess(process.execPath, [CLI_BIN, ...args], options);
}
