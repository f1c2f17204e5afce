/**
 * Crash safety of `imdad train`, through the BUILT CLI (`npm run build` first):
 * a run killed with SIGKILL leaves its last checkpoint and no model; `--resume`
 * finishes it into a model that loads, scores and has the requested epochs,
 * with the same weights as a run that was never interrupted.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SeededRandom } from '@imdad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainUntilCheckpoint, type InterruptedRun } from './helpers/interrupted-run.js';
import { CLI_BIN, runCli, type CliResult } from './helpers/run-cli.js';

const WASM = { IMDAD_BACKEND: 'wasm' };
const EPOCHS = 40;
/** The run's flags besides --out: the interrupted run, its resume and the uninterrupted run share them. */
const RUN = ['--data', 'rows.csv', '--epochs', String(EPOCHS), '--checkpoint-every', '2', '--seed', '3', '--quiet'];

/** 3,000 rows of 8 features: Gaussian normals, 3% shifted anomalies of which a third carry label 1. */
function rowsCsv(): string {
  const random = new SeededRandom(42);
  const gauss = (): number => Math.sqrt(-2 * Math.log(1 - random.next())) * Math.cos(2 * Math.PI * random.next());
  const lines = [`${Array.from({ length: 8 }, (_, j) => `f${j}`).join(',')},label`];
  for (let i = 0; i < 3000; i++) {
    const anomaly = i % 33 === 0;
    const features = Array.from({ length: 8 }, () => (gauss() + (anomaly ? 3 : 0)).toFixed(5));
    lines.push(`${features.join(',')},${anomaly && i % 99 === 0 ? 1 : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

let cwd: string;
let interrupted: InterruptedRun;
let listingAfterKill: string[];
/** The checkpoint's epoch, read before the resume removes it. */
let checkpointEpoch: number;
let resumed: CliResult;

beforeAll(async () => {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run npm run build first`);
  cwd = mkdtempSync(path.join(os.tmpdir(), 'imdad-resume-'));
  writeFileSync(path.join(cwd, 'rows.csv'), rowsCsv());
  interrupted = await trainUntilCheckpoint(RUN, 'model', { cwd, env: WASM });
  listingAfterKill = readdirSync(cwd).sort();
  checkpointEpoch = JSON.parse(readFileSync(path.join(interrupted.checkpointDir, 'checkpoint.json'), 'utf8')).snapshot.epoch;
  resumed = await runCli(['train', '--resume', 'model', '--json'], { cwd, env: WASM, timeoutMs: 120_000 });
}, 180_000);

afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

const imdad = (args: string[]): Promise<CliResult> => runCli(args, { cwd, env: WASM });

describe('imdad train --resume', () => {
  describe('when a run was killed with SIGKILL after its first checkpoint', () => {
    it('should have left the checkpoint and no model folder (nor any staging folder)', () => {
      expect(listingAfterKill).toEqual(['model.checkpoint', 'rows.csv']);
      expect(checkpointEpoch % 2).toBe(0);
      expect(checkpointEpoch).toBeGreaterThanOrEqual(2);
      expect(checkpointEpoch).toBeLessThan(EPOCHS);
    });

    it('should finish the run: exit 0, the requested epochs, and the checkpoint removed', () => {
      expect(resumed.code, resumed.stderr).toBe(0);
      const json = JSON.parse(resumed.stdout);
      expect(json.model).toBe('model');
      expect(json.epochs).toBe(EPOCHS);
      expect(resumed.stderr).toContain(`resuming model after epoch ${checkpointEpoch} of ${EPOCHS}`);
      expect(readdirSync(cwd).sort()).toEqual(['model', 'rows.csv']);
    });

    it('should save a model that inspect reads, with the full epoch count and where it resumed', async () => {
      const inspected = await imdad(['inspect', '--model', 'model', '--json']);
      expect(inspected.code, inspected.stderr).toBe(0);
      const json = JSON.parse(inspected.stdout);
      expect(json.training.epochs).toBe(EPOCHS);
      expect(json.training.resumedAtEpoch).toBe(checkpointEpoch);
      expect(Number.isFinite(json.radiusSquared)).toBe(true);
    });

    it('should save a model that evaluate and score use', async () => {
      const evaluated = await imdad(['evaluate', '--model', 'model', '--data', 'rows.csv', '--json']);
      expect(evaluated.code, evaluated.stderr).toBe(0);
      const metrics = JSON.parse(evaluated.stdout);
      expect(metrics.n).toBe(3000);
      expect(metrics.auroc).toBeGreaterThan(0.5);
      const scored = await imdad(['score', '--model', 'model', '--data', 'rows.csv', '--out', 'scores.csv']);
      expect(scored.code, scored.stderr).toBe(0);
      expect(readFileSync(path.join(cwd, 'scores.csv'), 'utf8').trim().split('\n')).toHaveLength(3001);
      rmSync(path.join(cwd, 'scores.csv'));
    });

    it('should give the same weights as the same run never interrupted', async () => {
      const whole = await runCli(['train', '--out', 'whole', ...RUN], { cwd, env: WASM, timeoutMs: 120_000 });
      expect(whole.code, whole.stderr).toBe(0);
      const weights = (dir: string): Buffer => readFileSync(path.join(cwd, dir, 'weights.bin'));
      expect(weights('model').equals(weights('whole'))).toBe(true);
      const manifest = (dir: string) => JSON.parse(readFileSync(path.join(cwd, dir, 'manifest.json'), 'utf8'));
      expect(manifest('model').sphere).toEqual(manifest('whole').sphere);
      expect(manifest('model').training.fingerprint).toBe(manifest('whole').training.fingerprint);
    }, 150_000);
  });
});
