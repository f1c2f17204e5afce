import type { tf } from '../tf.js';
import type { Dataset } from './dataset.js';
import type { Encoder } from './encoder.js';
import type { Head, HeadModel } from './head.js';
import type { Configurable } from './options.js';

/** Extension point: fits an encoder and a head to a dataset. */
export const Trainer = Symbol.for('imdad/Trainer');

/** Reported after every epoch (and by pretraining, with `phase: 'pretrain'`). */
export interface TrainingProgress {
  /** Which phase reported: encoder pretraining or the main training run. */
  readonly phase: 'pretrain' | 'train';
  /** The epoch just completed, counted from 1 within its phase. */
  readonly epoch: number;
  /** Total epochs planned for this phase. */
  readonly epochs: number;
  /** Mean training loss over the epoch's rows. */
  readonly loss: number;
  /** Loss on the held-out validation rows; absent when there are none. */
  readonly validationLoss?: number;
  /** Training throughput: rows processed per second during the epoch. */
  readonly samplesPerSecond: number;
  /** Wall-clock seconds the epoch took. */
  readonly seconds: number;
}

/** One tensor of a trainer snapshot, as flat float32 values. */
export interface SnapshotTensor {
  /** Identifies the tensor within the snapshot. */
  readonly name: string;
  /** The tensor's dimensions. */
  readonly shape: readonly number[];
  /** The tensor's contents, flattened in row-major order. */
  readonly values: Float32Array;
}

/**
 * What a trainer needs to continue a run after a completed epoch: its tensors
 * (weights, optimizer moments) and a JSON-serialisable state (generator
 * states, counters, history).
 */
export interface TrainerSnapshot {
  /** Completed epochs of the main phase. */
  readonly epoch: number;
  /** Weights and optimizer moments at the time of the snapshot. */
  readonly tensors: readonly SnapshotTensor[];
  /** JSON-serialisable trainer state: generator states, counters, history. */
  readonly state: Record<string, unknown>;
}

/** Crash safety: a trainer that supports it saves snapshots as it goes and can continue from one. */
export interface TrainCheckpointing {
  /** Save a snapshot after every `every` completed epochs (before the last one). */
  readonly every: number;
  /** Stores a snapshot; the trainer awaits it before going on. */
  save(snapshot: TrainerSnapshot): Promise<void>;
  /** Continue from this snapshot (written by the same trainer, spec and data) instead of starting afresh. */
  readonly resumeFrom?: TrainerSnapshot;
}

/** Everything a trainer is given to fit one model. */
export interface TrainRequest {
  /** Training rows, already preprocessed; `y` marks labeled anomalies. */
  readonly dataset: Dataset;
  /** The backbone that builds the network to train. */
  readonly encoder: Encoder<object>;
  /** Options for the encoder, already validated against its schema. */
  readonly encoderOptions: object;
  /** The head whose objective the network is trained for. */
  readonly head: Head<object>;
  /** Options for the head, already validated against its schema. */
  readonly headOptions: object;
  /** Trainer options, validated against the trainer's schema. */
  readonly options: object;
  /** Seed for all randomness of the run (initialisation, hold-out, batches), for reproducible training. */
  readonly seed: number;
  /** Called with progress after every epoch. */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** Checkpoints; trainers that do not support them ignore it. */
  readonly checkpoint?: TrainCheckpointing;
}

/** What a finished training run returns. */
export interface TrainResult {
  /** The trained encoder network, mapping inputs to embeddings. */
  readonly network: tf.LayersModel;
  /** The trained head bound to the network's embedding width. */
  readonly head: HeadModel;
  /** Main-phase epochs actually run (fewer than planned if training stopped early). */
  readonly epochs: number;
  /** Progress reports of every epoch, pretraining included. */
  readonly history: readonly TrainingProgress[];
}

export interface Trainer<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  /** Trains a network and head on the request's dataset. */
  train(request: TrainRequest): Promise<TrainResult>;
}
