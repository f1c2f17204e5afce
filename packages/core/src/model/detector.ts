import type { Container } from 'inversify';
import { sampleSize, type Dataset } from '../contracts/dataset.js';
import { Encoder } from '../contracts/encoder.js';
import type { ExplainableModel } from '../contracts/explainer.js';
import { Head, type HeadModel, type Hypersphere } from '../contracts/head.js';
import { parseOptions } from '../contracts/options.js';
import { Trainer, type TrainingProgress } from '../contracts/trainer.js';
import { getContribution } from '../contributions.js';
import { ImdadError } from '../errors.js';
import { tf } from '../tf.js';
import {
  CHECKPOINT_FORMAT,
  CHECKPOINT_FORMAT_VERSION,
  firstDifference,
  type CheckpointSpec,
  type TrainingCheckpoint,
} from '../training/checkpoint-format.js';
import { embedInBatches } from '../training/embed.js';
import { IMDAD_VERSION } from '../version.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ComponentSpec, type ModelManifest } from './manifest.js';
import { applyPreprocessing, fitMinMax, type Preprocessing } from './preprocessing.js';

/** What to train: contributions by name with their (unvalidated) options. */
export interface DetectorSpec {
  /** Name of the backbone (encoder) to train. */
  readonly backbone: string;
  /** Options for the backbone. */
  readonly backboneOptions?: Record<string, unknown>;
  /** Name of the head. */
  readonly head: string;
  /** Options for the head. */
  readonly headOptions?: Record<string, unknown>;
  /** Name of the trainer (default: `adam`). */
  readonly trainer?: string;
  /** Options for the trainer. */
  readonly trainerOptions?: Record<string, unknown>;
  /** `auto`: min-max for tabular rows, none for images (loaders scale pixels to [0, 1]). */
  readonly scaling?: 'auto' | 'minmax' | 'none';
  /** Seed for all randomness of training (default: 0). */
  readonly seed?: number;
}

/** Scores of a batch of rows. */
export interface Scores {
  /** `f(x) = ||phi(x) - c||^2 - R^2`; positive means anomaly. */
  readonly score: Float32Array;
  /** `||phi(x) - c||^2`. */
  readonly distanceSquared: Float32Array;
}

const SCORE_BATCH = 2048;

/** The contributions a spec names, with their validated options. */
export interface ResolvedDetectorSpec {
  /** The backbone the spec names. */
  readonly encoder: Encoder<object>;
  /** The head the spec names. */
  readonly head: Head<object>;
  /** The trainer the spec names (default: `adam`). */
  readonly trainer: Trainer<object>;
  /** The backbone's options, validated, defaults filled in. */
  readonly encoderOptions: object;
  /** The head's options, validated, defaults filled in. */
  readonly headOptions: object;
  /** The trainer's options, validated, defaults filled in. */
  readonly trainerOptions: object;
}

/**
 * Finds the backbone, head and trainer a spec names and validates their
 * options: call it before reading data to fail fast on a bad configuration.
 */
export function resolveDetectorSpec(container: Container, spec: DetectorSpec): ResolvedDetectorSpec {
  const encoder = getContribution<Encoder<object>>(container, Encoder, 'backbone', spec.backbone);
  const head = getContribution<Head<object>>(container, Head, 'head', spec.head);
  const trainer = getContribution<Trainer<object>>(container, Trainer, 'trainer', spec.trainer ?? 'adam');
  return {
    encoder,
    head,
    trainer,
    encoderOptions: parseOptions(encoder, spec.backboneOptions, `backbone "${encoder.name}" options`),
    headOptions: parseOptions(head, spec.headOptions, `head "${head.name}" options`),
    trainerOptions: parseOptions(trainer, spec.trainerOptions, `trainer "${trainer.name}" options`),
  };
}

/** Checkpoints of a training run (on disk: `saveCheckpoint` and `checkpointDirFor` of `@imdad/core/node`). */
export interface CheckpointOptions {
  /** Where checkpoints go (a folder), named in messages. */
  readonly dir: string;
  /** Stores a checkpoint, replacing the previous one; training waits for it. */
  readonly save: (checkpoint: TrainingCheckpoint) => Promise<void>;
  /** Save after every `every` completed epochs; 0: never (a resume still continues from `resume`). */
  readonly every: number;
  /** The training data's absolute path and label column, recorded so that a resume can reload it. */
  readonly dataSource?: string;
  /** The label column of the training data, recorded alongside `dataSource`. */
  readonly labelColumn?: string;
  /** Continue the run this checkpoint was taken from; it must have the same spec and data. */
  readonly resume?: TrainingCheckpoint;
}

/** Callbacks and settings for `Detector.train`. */
export interface DetectorTrainOptions {
  /** Called once spec, data and checkpoint have passed their checks, right before training starts. */
  readonly onStart?: () => void;
  /** Called with the trainer's progress after every epoch. */
  readonly onProgress?: (p: TrainingProgress) => void;
  /** Backend name recorded in the manifest (default: the active one). */
  readonly backend?: string;
  /** Where and how often to checkpoint, and whether to resume; no checkpoints when absent. */
  readonly checkpoint?: CheckpointOptions;
}

/** Refuses to resume a checkpoint with another spec or other data: the result would be neither run. */
function checkResumable(checkpoint: TrainingCheckpoint, spec: CheckpointSpec, dataFingerprint: string, dataset: Dataset): void {
  const difference = firstDifference(checkpoint.spec, spec);
  if (difference !== undefined) {
    throw new ImdadError('usage', `the checkpoint was written by a run with another ${difference}; resume with the configuration it was started with`);
  }
  if (checkpoint.data.fingerprint !== dataFingerprint) {
    const where = dataset.source ?? 'the data';
    const before = `${checkpoint.data.rows} rows${checkpoint.data.source ? ` of ${checkpoint.data.source}` : ''}`;
    throw new ImdadError('input', `${where} is not the data the interrupted run trained on (${before}; the sha256 differs); resume with the same data`);
  }
}

/** The first few feature names, for messages. */
function describeNames(names: readonly string[]): string {
  return names.length <= 5 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ... ${names[names.length - 1]}`;
}

/**
 * sha256 (hex) of the features' bytes followed by the labels: WebCrypto, so
 * that it is the same in Node and in browsers. Without WebCrypto (a browser
 * page served over plain http) the data goes unfingerprinted.
 */
async function fingerprint(dataset: Dataset): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return 'unavailable';
  const features = new Uint8Array(dataset.x.buffer, dataset.x.byteOffset, dataset.x.byteLength);
  let bytes = features;
  if (dataset.y) {
    bytes = new Uint8Array(features.byteLength + dataset.y.byteLength);
    bytes.set(features);
    bytes.set(dataset.y, features.byteLength);
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A trained IMD-AD model: encoder network, head, preprocessing and manifest.
 * Center and radius are always read from the head's weights.
 */
export class Detector implements ExplainableModel {
  private constructor(
    readonly network: tf.LayersModel,
    readonly head: HeadModel,
    readonly manifest: ModelManifest,
  ) {}

  get inputShape(): readonly number[] {
    return this.manifest.inputShape;
  }

  get reference(): Float32Array | undefined {
    return this.manifest.reference ? Float32Array.from(this.manifest.reference) : undefined;
  }

  /** The current hypersphere, read from `(w, b)`. */
  sphere(): Hypersphere {
    return this.head.sphere();
  }

  preprocess(x: Float32Array): Float32Array {
    return applyPreprocessing(this.manifest.preprocessing, x);
  }

  /** Trains a detector on a dataset with the contributions named in `spec`. */
  static async train(container: Container, dataset: Dataset, spec: DetectorSpec, options: DetectorTrainOptions = {}): Promise<Detector> {
    const { encoder, head, trainer, encoderOptions, headOptions, trainerOptions } = resolveDetectorSpec(container, spec);
    const seed = spec.seed ?? 0;
    const scaling = spec.scaling ?? 'auto';
    const runSpec: CheckpointSpec = {
      backbone: encoder.name,
      backboneOptions: { ...encoderOptions },
      head: head.name,
      headOptions: { ...headOptions },
      trainer: trainer.name,
      trainerOptions: { ...trainerOptions },
      seed,
      scaling,
    };
    const where = dataset.source ?? 'the training data';
    if (dataset.n === 0) throw new ImdadError('input', `${where}: no rows to train on`);
    if (dataset.y?.every((label) => label === 1)) {
      throw new ImdadError('input', `${where}: every training row is a labeled anomaly (label 1); unlabeled rows (label 0) are needed`);
    }
    const dataFingerprint = await fingerprint(dataset);
    const resume = options.checkpoint?.resume;
    if (resume) checkResumable(resume, runSpec, dataFingerprint, dataset);
    const width = sampleSize(dataset.sampleShape);
    const preprocessing: Preprocessing =
      scaling === 'minmax' || (scaling === 'auto' && dataset.sampleShape.length === 1)
        ? fitMinMax(dataset.x, dataset.n, width)
        : { kind: 'none' };
    const prepared: Dataset = { ...dataset, x: applyPreprocessing(preprocessing, dataset.x) };

    options.onStart?.();
    const started = performance.now();
    const earlierSeconds = resume?.seconds ?? 0;
    const checkpoint = options.checkpoint;
    const result = await trainer
      .train({
        dataset: prepared,
        encoder,
        encoderOptions,
        head,
        headOptions,
        options: trainerOptions,
        seed,
        onProgress: options.onProgress,
        checkpoint: checkpoint && {
          every: checkpoint.every,
          resumeFrom: resume?.snapshot,
          save: (snapshot) =>
            checkpoint.save({
              format: CHECKPOINT_FORMAT,
              formatVersion: CHECKPOINT_FORMAT_VERSION,
              createdAt: new Date().toISOString(),
              versions: { imdad: IMDAD_VERSION, tfjs: tf.version.tfjs },
              spec: runSpec,
              data: {
                source: checkpoint.dataSource ?? null,
                labelColumn: checkpoint.labelColumn ?? null,
                rows: dataset.n,
                fingerprint: dataFingerprint,
              },
              seconds: earlierSeconds + (performance.now() - started) / 1000,
              snapshot,
            }),
        },
      })
      .catch((error: unknown) => {
        // The trainer knows no paths: say which checkpoint does not fit.
        if (resume && checkpoint && ImdadError.is(error, 'model')) throw new ImdadError('model', `${checkpoint.dir}: ${error.message}`, { cause: error });
        throw error;
      });
    const seconds = earlierSeconds + (performance.now() - started) / 1000;
    const component = (name: string, opts: object): ComponentSpec => ({ name, options: { ...opts } });
    const manifest: Omit<ModelManifest, 'sphere' | 'weights' | 'reference'> = {
      format: MODEL_FORMAT,
      formatVersion: MODEL_FORMAT_VERSION,
      versions: { imdad: IMDAD_VERSION, tfjs: tf.version.tfjs },
      createdAt: new Date().toISOString(),
      backend: options.backend ?? tf.getBackend(),
      encoder: component(encoder.name, encoderOptions),
      head: component(head.name, headOptions),
      trainer: component(trainer.name, trainerOptions),
      seed,
      inputShape: [...dataset.sampleShape],
      embeddingDim: result.head.embeddingDim,
      featureNames: dataset.featureNames ? [...dataset.featureNames] : undefined,
      preprocessing,
      training: {
        rows: dataset.n,
        labeledAnomalies: dataset.y ? dataset.y.reduce((a, b) => a + b, 0) : 0,
        epochs: result.epochs,
        seconds,
        fingerprint: dataFingerprint,
        ...(resume ? { resumedAtEpoch: resume.snapshot.epoch } : {}),
      },
    };
    // The normal reference needs scores, so a draft without it finds it first.
    const draft = new Detector(result.network, result.head, Detector.completeManifest(manifest, result.network, result.head));
    const reference = draft.nearestNormalRow(prepared);
    return new Detector(result.network, result.head, { ...draft.manifest, reference: reference ? Array.from(reference) : null });
  }

  /** Rebuilds a detector from a manifest and the flat weights of `weights.bin`. */
  static fromWeights(container: Container, manifest: ModelManifest, weights: Float32Array): Detector {
    const encoder = getContribution<Encoder<object>>(container, Encoder, 'backbone', manifest.encoder.name);
    const headPlugin = getContribution<Head<object>>(container, Head, 'head', manifest.head.name);
    const encoderOptions = parseOptions(encoder, manifest.encoder.options, 'model manifest: backbone options');
    const headOptions = parseOptions(headPlugin, manifest.head.options, 'model manifest: head options');
    const network = encoder.build(manifest.inputShape, encoderOptions, { seed: manifest.seed });
    const head = headPlugin.create(manifest.embeddingDim, headOptions);
    try {
      const expected = network.getWeights().map((t) => t.shape);
      const specs = manifest.weights;
      if (specs.length !== expected.length + 2 || expected.some((s, i) => s.join('x') !== specs[i].shape.join('x'))) {
        throw new ImdadError('model', `the manifest lists weights that do not fit backbone "${encoder.name}" with its options; the model directory is damaged or from another version`);
      }
      const total = specs.reduce((sum, s) => sum + sampleSize(s.shape), 0);
      if (weights.length !== total) {
        throw new ImdadError('model', `${WEIGHTS_FILE} holds ${weights.length} float32 values, the manifest lists ${total}; the model directory is damaged`);
      }
      let offset = 0;
      const take = (shape: readonly number[]): Float32Array => {
        const size = sampleSize(shape);
        const part = weights.subarray(offset, offset + size);
        offset += size;
        return part;
      };
      // The variables keep their own reference to the data: tidy frees the temporary tensors.
      tf.tidy(() => network.setWeights(expected.map((shape) => tf.tensor(take(shape), shape))));
      const w = Float32Array.from(take(specs[specs.length - 2].shape));
      head.setWeights({ w, b: take([])[0] });
      return new Detector(network, head, manifest);
    } catch (error) {
      network.dispose();
      head.dispose();
      throw error;
    }
  }

  /** All weights in file order: the encoder's, then the head's `w` and `b`. */
  flatWeights(): Float32Array {
    const parts = this.network.getWeights().map((t) => t.dataSync() as Float32Array);
    const { w, b } = this.head.getWeights();
    parts.push(w, Float32Array.of(b));
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      out.set(p, offset);
      offset += p.length;
    }
    return out;
  }

  private static completeManifest(
    base: Omit<ModelManifest, 'sphere' | 'weights' | 'reference'>,
    network: tf.LayersModel,
    head: HeadModel,
  ): ModelManifest {
    const { center, radiusSquared } = head.sphere();
    const weights = [
      ...network.weights.map((w) => ({ name: w.originalName, shape: [...w.shape] as number[] })),
      { name: 'head/w', shape: [head.embeddingDim] },
      { name: 'head/b', shape: [] },
    ];
    return {
      ...base,
      sphere: { center: Array.from(center), radius: Math.sqrt(Math.max(radiusSquared, 0)), radiusSquared },
      reference: null,
      weights,
    };
  }

  /** The preprocessed unlabeled row nearest the center. */
  private nearestNormalRow(prepared: Dataset): Float32Array | null {
    const width = sampleSize(prepared.sampleShape);
    const { distanceSquared } = this.scorePrepared(prepared.x, prepared.n);
    let best = -1;
    for (let i = 0; i < prepared.n; i++) {
      if (prepared.y?.[i] === 1) continue;
      if (best < 0 || distanceSquared[i] < distanceSquared[best]) best = i;
    }
    return best < 0 ? null : prepared.x.slice(best * width, (best + 1) * width);
  }

  /** Scores raw rows (`n * inputSize` values, row-major), in batches. */
  score(x: Float32Array, n: number): Scores {
    const width = sampleSize(this.inputShape);
    if (x.length !== n * width) {
      throw new ImdadError('input', `rows have ${x.length / Math.max(n, 1)} values, the model expects ${width} (input shape [${this.inputShape.join(', ')}])`);
    }
    return this.scorePrepared(this.preprocess(x), n);
  }

  /** Scores a dataset; samples of another shape than the model's fail naming the dataset's source. */
  scoreDataset(dataset: Dataset): Scores {
    const expected = this.inputShape;
    if (dataset.sampleShape.join('x') !== expected.join('x')) {
      const tabular = dataset.sampleShape.length === 1 && expected.length === 1;
      const has = tabular ? `rows of ${dataset.sampleShape[0]} features` : `samples of shape [${dataset.sampleShape.join(', ')}]`;
      const wants = tabular ? `${expected[0]} features` : `shape [${expected.join(', ')}]`;
      const names = tabular && this.manifest.featureNames ? ` (${describeNames(this.manifest.featureNames)})` : '';
      throw new ImdadError('input', `${dataset.source ?? 'the data'} has ${has}; the model expects ${wants}${names}`);
    }
    return this.score(dataset.x, dataset.n);
  }

  private scorePrepared(x: Float32Array, n: number): Scores {
    const width = sampleSize(this.inputShape);
    const score = new Float32Array(n);
    const distanceSquared = new Float32Array(n);
    const { radiusSquared } = this.head.sphere();
    for (let start = 0; start < n; start += SCORE_BATCH) {
      const rows = Math.min(SCORE_BATCH, n - start);
      const f = tf.tidy(() => {
        const batch = tf.tensor(x.subarray(start * width, (start + rows) * width), [rows, ...this.inputShape]);
        return this.head.score(this.network.apply(batch, { training: false }) as tf.Tensor2D);
      });
      const values = f.dataSync();
      f.dispose();
      for (let i = 0; i < rows; i++) {
        score[start + i] = values[i];
        distanceSquared[start + i] = values[i] + radiusSquared;
      }
    }
    return { score, distanceSquared };
  }

  /** Embeddings of raw rows, `[n, d]` (caller disposes). */
  embed(x: Float32Array, n: number): tf.Tensor2D {
    const prepared = tf.tensor(this.preprocess(x), [n, ...this.inputShape]);
    const rows = Int32Array.from({ length: n }, (_, i) => i);
    const phi = embedInBatches(this.network, prepared, rows, SCORE_BATCH);
    prepared.dispose();
    return phi;
  }

  /** Frees the network's and the head's tensors. */
  dispose(): void {
    this.network.dispose();
    this.head.dispose();
  }
}
