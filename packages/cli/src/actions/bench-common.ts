import { appendFile } from 'node:fs/promises';
import {
  Detector,
  Encoder,
  ImdadError,
  evaluateScores,
  getContribution,
  type Evaluation,
  type ProtocolSplit,
  type TrainingProgress,
} from '@imdad/core';
import type { CommandContext } from '../context.js';
import type { Output } from '../output.js';
import { mergeTrainingConfig } from '../training-config.js';

/** Splits a comma-separated flag value; an empty one is a usage error. */
export function parseList(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new ImdadError('usage', `--${flag} is empty`);
  return items;
}

/** Parses `0,1,2` into non-negative integers, failing on anything else. */
export function parseIndices(flag: string, value: string): number[] {
  return parseList(flag, value).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 0) throw new ImdadError('usage', `--${flag}: "${s}" is not a non-negative integer`);
    return n;
  });
}

/** What one benchmark run trains and evaluates. */
export interface BenchRun {
  readonly dataset: string;
  readonly head: string;
  readonly seed: number;
  readonly split: ProtocolSplit;
}

/** The measured fields of a bench JSON line. */
export interface BenchResult extends Evaluation {
  readonly trainSeconds: number;
  /** Training rows per second inside the epochs (labeled anomalies oversampled included). */
  readonly samplesPerSecond: number;
  /** Mean seconds per training epoch. */
  readonly epochSeconds: number;
  readonly epochs: number;
}

/**
 * Trains one head on a split's training rows and evaluates it on its test
 * rows, with flags > rc file > defaults. Deep SVDD and Deep SAD are defined on
 * bias-free networks (a bias lets them collapse to the center), so for them
 * the backbone's `bias` is switched off where it has one.
 */
export async function trainAndEvaluate(
  context: CommandContext & { backend?: string },
  run: BenchRun,
  flags: { backbone: string; epochs?: number; batchSize?: number },
): Promise<BenchResult> {
  const encoder = getContribution<Encoder<object>>(context.imdad.container, Encoder, 'backbone', flags.backbone);
  const spec = mergeTrainingConfig({ ...context.config, seed: run.seed }, { ...flags, head: run.head });
  const fixedCenter = run.head === 'deep-svdd' || run.head === 'deep-sad';
  const unbiased = { ...spec.backboneOptions, bias: false };
  const backboneOptions = fixedCenter && encoder.optionsSchema.safeParse(unbiased).success ? unbiased : spec.backboneOptions;
  const epochs: TrainingProgress[] = [];
  const started = performance.now();
  const detector = await Detector.train(context.imdad.container, run.split.train, { ...spec, backboneOptions }, {
    backend: context.backend,
    onProgress: (p) => {
      if (p.phase === 'train') epochs.push(p);
    },
  });
  try {
    const trainSeconds = (performance.now() - started) / 1000;
    const evaluation = evaluateScores(detector.score(run.split.test.x, run.split.test.n).score, run.split.test.y!);
    const epochTime = epochs.reduce((sum, p) => sum + p.seconds, 0);
    const rows = epochs.reduce((sum, p) => sum + p.samplesPerSecond * p.seconds, 0);
    return {
      ...evaluation,
      trainSeconds,
      samplesPerSecond: rows / epochTime,
      epochSeconds: epochTime / Math.max(1, epochs.length),
      epochs: epochs.length,
    };
  } finally {
    detector.dispose();
  }
}

/** Writes result lines to stdout (JSON under `--json`) and, with `--out`, appends them to that file. */
export function resultWriter(output: Output, out?: string): (line: object) => Promise<void> {
  return async (line) => {
    output.result(line, () => JSON.stringify(line));
    if (out) await appendFile(out, `${JSON.stringify(line)}\n`);
  };
}

/** AUROC per head and dataset over seeds, for the summary lines. */
export class AurocTable {
  private readonly table = new Map<string, Map<string, number[]>>();

  add(head: string, dataset: string, auroc: number): void {
    const perDataset = this.table.get(head) ?? new Map<string, number[]>();
    perDataset.set(dataset, [...(perDataset.get(dataset) ?? []), auroc]);
    this.table.set(head, perDataset);
  }

  /** Per head: the mean over datasets of each dataset's mean AUROC over seeds. */
  summaries(seeds: number): { summary: true; head: string; meanAuroc: number; datasets: number; seeds: number }[] {
    return [...this.table].map(([head, perDataset]) => {
      const means = [...perDataset.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
      return { summary: true, head, meanAuroc: means.reduce((a, b) => a + b, 0) / means.length, datasets: means.length, seeds };
    });
  }
}
