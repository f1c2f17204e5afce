import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built CLI (`npm run build` writes it); the e2e tests run it as a child process. */
export const CLI_BIN = fileURLToPath(new URL('../../packages/cli/bin/imdad.js', import.meta.url));

/** The repository root (the folder holding `packages/` and `test/`). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunCliOptions {
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

export interface CliResult {
  /** The exit status; -1 when the child was killed by a signal. */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `node packages/cli/bin/imdad.js ...args` and collects its exit code and output. */
export function runCli(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' };
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI_BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: env as NodeJS.ProcessEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
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
      });
    });
  });
}
