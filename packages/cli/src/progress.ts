import type { TrainingProgress } from '@imdad/core';
import { fmt } from './output.js';

/**
 * Training progress on stderr: a redrawn bar with ETA on a terminal, plain
 * lines (about 20 per run) otherwise, nothing under `--quiet`.
 */
export function trainingProgress(quiet: boolean): (p: TrainingProgress) => void {
  if (quiet) return () => {};
  const tty = process.stderr.isTTY === true;
  let elapsed = 0;
  return (p) => {
    elapsed += p.seconds;
    const eta = (elapsed / p.epoch) * (p.epochs - p.epoch);
    const phase = p.phase === 'pretrain' ? 'pretrain ' : '';
    const stats = `loss ${fmt(p.loss)}${p.validationLoss === undefined ? '' : ` val ${fmt(p.validationLoss)}`} | ${Math.round(p.samplesPerSecond)} samples/s | ETA ${Math.ceil(eta)}s`;
    if (tty) {
      const width = 24;
      const done = Math.round((p.epoch / p.epochs) * width);
      process.stderr.write(`\r${phase}epoch ${p.epoch}/${p.epochs} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${stats}\x1b[K`);
      if (p.epoch === p.epochs) process.stderr.write('\n');
    } else if (p.epoch === 1 || p.epoch === p.epochs || p.epoch % Math.ceil(p.epochs / 20) === 0) {
      process.stderr.write(`${phase}epoch ${p.epoch}/${p.epochs} ${stats}\n`);
    }
  };
}

/**
 * Scoring progress on stderr: rows scored and rows/s, redrawn on a terminal,
 * a plain line every 100,000 rows otherwise (small files stay silent),
 * nothing under `--quiet`. Call it
 * after every chunk with the running row count, and with `done` at the end.
 */
export function scoringProgress(quiet: boolean): (rows: number, done?: boolean) => void {
  if (quiet) return () => {};
  const tty = process.stderr.isTTY === true;
  const started = performance.now();
  let reported = 0;
  return (rows, done = false) => {
    const rate = Math.round(rows / Math.max((performance.now() - started) / 1000, 1e-3));
    if (tty) {
      process.stderr.write(`\rscored ${rows} rows | ${rate} rows/s\x1b[K${done ? '\n' : ''}`);
    } else if (!done && rows - reported >= 100_000) {
      reported = rows;
      process.stderr.write(`scored ${rows} rows | ${rate} rows/s\n`);
    }
  };
}
