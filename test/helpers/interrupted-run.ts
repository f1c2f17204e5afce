import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLI_BIN } from './run-cli.js';

export interface InterruptedRun {
  /** The checkpoint folder the killed run left (`<out>.checkpoint`). */
  readonly checkpointDir: string;
  /** What the run had printed on stderr before it was killed. */
  readonly stderr: string;
}

/**
 * Starts `imdad train ...args` (which must save checkpoints, e.g. `--checkpoint-every 1`),
 * waits until its first checkpoint is complete, then kills it with SIGKILL: a crash,
 * with no chance to clean up. `out` is the run's `--out`, relative to `cwd`.
 */
export async function trainUntilCheckpoint(args: string[], out: string, options: { cwd: string; env?: Record<string, string>; timeoutMs?: number }): Promise<InterruptedRun> {
  const checkpointDir = path.resolve(options.cwd, `${out}.checkpoint`);
  const child = spawn(process.execPath, [CLI_BIN, 'train', '--out', out, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  try {
    // The checkpoint folder appears by a rename: once checkpoint.json is there, it is whole.
    while (!existsSync(path.join(checkpointDir, 'checkpoint.json'))) {
      if (exitCode !== undefined) throw new Error(`imdad train exited (${exitCode}) before its first checkpoint: ${stderr}`);
      if (Date.now() > deadline) throw new Error(`no checkpoint in ${checkpointDir} after ${options.timeoutMs ?? 60_000} ms: ${stderr}`);
      await sleep(25);
    }
  } finally {
    child.kill('SIGKILL');
    await exited;
  }
  return { checkpointDir, stderr };
}
