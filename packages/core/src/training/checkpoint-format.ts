import type { TrainerSnapshot } from '../contracts/trainer.js';

/*
 * The checkpoint format: what a checkpoint holds and how a resume is checked
 * against it. Storage-free (the file store is checkpoint.ts, Node only), so
 * that training code in a browser bundle can use it.
 */

/** Marks a `checkpoint.json` as an imdad training checkpoint. */
export const CHECKPOINT_FORMAT = 'imdad-checkpoint';
/** Version of the checkpoint format, bumped on incompatible changes. */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The run a checkpoint belongs to, as it was resolved: a resume continues exactly this. */
export interface CheckpointSpec {
  /** Name of the backbone. */
  readonly backbone: string;
  /** The backbone's options, defaults filled in. */
  readonly backboneOptions: Record<string, unknown>;
  /** Name of the head. */
  readonly head: string;
  /** The head's options, defaults filled in. */
  readonly headOptions: Record<string, unknown>;
  /** Name of the trainer. */
  readonly trainer: string;
  /** The trainer's options, defaults filled in. */
  readonly trainerOptions: Record<string, unknown>;
  /** The run's seed. */
  readonly seed: number;
  /** The run's input scaling setting, as given (before `auto` is decided). */
  readonly scaling: 'auto' | 'minmax' | 'none';
}

/** A snapshot of an interrupted training run, with what is needed to check that a resume continues the same run. */
export interface TrainingCheckpoint {
  /** Marks the file as an imdad checkpoint. */
  readonly format: typeof CHECKPOINT_FORMAT;
  /** Version of the checkpoint format, bumped on incompatible changes. */
  readonly formatVersion: typeof CHECKPOINT_FORMAT_VERSION;
  /** When the checkpoint was written, as an ISO 8601 timestamp. */
  readonly createdAt: string;
  /** Versions of the software that wrote the checkpoint. */
  readonly versions: {
    /** Version of imdad. */
    readonly imdad: string;
    /** Version of TensorFlow.js. */
    readonly tfjs: string;
  };
  /** The run the checkpoint belongs to. */
  readonly spec: CheckpointSpec;
  /** Which training data the run used. */
  readonly data: {
    /** Absolute path of the training data, when known: `imdad train --resume` reloads it from there. */
    readonly source: string | null;
    /** The label column of the training data, when one was given. */
    readonly labelColumn: string | null;
    /** Number of training rows. */
    readonly rows: number;
    /** sha256 of features and labels (as in the model manifest): a resume on other data is refused. */
    readonly fingerprint: string;
  };
  /** Training seconds before this checkpoint, over all the sessions of the run. */
  readonly seconds: number;
  /** The trainer's state after the last completed epoch. */
  readonly snapshot: TrainerSnapshot;
}

/** The first key path where two JSON-like values differ (`trainerOptions.epochs`), or undefined when they are equal. */
export function firstDifference(a: unknown, b: unknown, at = ''): string | undefined {
  if (Object.is(a, b)) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) {
    return at || '(top level)';
  }
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of [...keys].sort()) {
    const difference = firstDifference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], at ? `${at}.${key}` : key);
    if (difference !== undefined) return difference;
  }
  return undefined;
}
