import type { DetectorSpec } from '@imdad/core';
import type { RcConfig } from './config.js';

/** Training flags that map onto rc-file keys. */
export interface TrainingFlags {
  backbone?: string;
  head?: string;
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  labelColumn?: string;
}

/** Flags > rc file > defaults, as the detector spec `Detector.train` takes. */
export function mergeTrainingConfig(config: RcConfig, flags: TrainingFlags): DetectorSpec & { labelColumn?: string } {
  const trainerOptions: Record<string, unknown> = { ...config.trainerOptions };
  if (flags.epochs !== undefined) trainerOptions.epochs = flags.epochs;
  if (flags.batchSize !== undefined) trainerOptions.batchSize = flags.batchSize;
  if (flags.learningRate !== undefined) trainerOptions.learningRate = flags.learningRate;
  return {
    backbone: flags.backbone ?? config.backbone,
    backboneOptions: config.backboneOptions,
    head: flags.head ?? config.head,
    headOptions: config.headOptions,
    trainer: config.trainer,
    trainerOptions,
    seed: config.seed,
    labelColumn: flags.labelColumn ?? config.labelColumn,
  };
}
