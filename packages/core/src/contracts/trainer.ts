import type { tf } from '../tf.js';
import type { Dataset } from './dataset.js';
import type { Encoder } from './encoder.js';
import type { Head, HeadModel } from './head.js';
import type { Configurable } from './options.js';

/** Extension point: fits an encoder and a head to a dataset. */
export const Trainer = Symbol.for('imdad/Trainer');

/** Reported after every epoch (and by pretraining, with `phase: 'pretrain'`). */
export interface TrainingProgress {
  readonly phase: 'pretrain' | 'train';
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly validationLoss?: number;
  readonly samplesPerSecond: number;
  readonly seconds: number;
}

export interface TrainRequest {
  /** Training rows, already preprocessed; `y` marks labeled anomalies. */
  readonly dataset: Dataset;
  readonly encoder: Encoder<object>;
  readonly encoderOptions: object;
  readonly head: Head<object>;
  readonly headOptions: object;
  /** Trainer options, validated against the trainer's schema. */
  readonly options: object;
  readonly seed: number;
  readonly onProgress?: (progress: TrainingProgress) => void;
}

export interface TrainResult {
  readonly network: tf.LayersModel;
  readonly head: HeadModel;
  readonly epochs: number;
  readonly history: readonly TrainingProgress[];
}

export interface Trainer<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  train(request: TrainRequest): Promise<TrainResult>;
}
