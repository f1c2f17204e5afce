import { ImdadError } from '@imdad/core';

/** Flags every command takes. */
export interface GlobalArgs {
  config?: string;
  json?: boolean;
  quiet?: boolean;
  verbose?: boolean;
  seed?: number;
  backend?: string;
}

/**
 * Where a command writes: results on stdout (one JSON document or JSON lines
 * under `--json`), progress and logs on stderr, nothing but errors under `--quiet`.
 */
export class Output {
  constructor(private readonly args: GlobalArgs) {}

  get json(): boolean {
    return this.args.json === true;
  }

  /** A result: JSON under `--json`, otherwise the human text. */
  result(value: unknown, human: () => string): void {
    if (this.json) process.stdout.write(`${JSON.stringify(value)}\n`);
    else if (!this.args.quiet) process.stdout.write(`${human()}\n`);
  }

  /** A log line on stderr (suppressed by `--quiet`). */
  log(message: string): void {
    if (!this.args.quiet) process.stderr.write(`${message}\n`);
  }
}

/** The one place errors become a message and an exit code: one line, a stack trace only with `--verbose`. */
export function reportError(error: unknown, verbose: boolean): 1 | 2 {
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  const hint = !verbose && !ImdadError.is(error) ? ' (run with --verbose for the stack trace)' : '';
  process.stderr.write(`imdad: ${message}${hint}\n`);
  if (verbose && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  return ImdadError.exitCode(error);
}

/** Formats a number for people: 4 significant digits. */
export function fmt(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}
