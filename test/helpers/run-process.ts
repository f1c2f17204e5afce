import { spawn } from 'node:child_process';

export interface RunOptions {
  /** Working directory of the child; defaults to the current one. */
  cwd?: string;
  /**
   * Variables added to (or overriding) this process's environment for the child.
   * A key whose value is `undefined` is removed from the child's environment.
   */
  env?: Record<string, string | undefined>;
  /** Kill the child after this many milliseconds (default 60 s); `code` is then -1. */
  timeoutMs?: number;
}

export interface ProcessResult {
  /** The exit status; -1 when the child was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
  /** True when the child was killed for running past `timeoutMs`. */
  timedOut: boolean;
}

/** Runs a command (node with the CLI, npm, an installed `imdad`) and collects its exit code and output. */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? process.cwd(),
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
  });
}
