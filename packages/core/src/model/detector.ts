import { createHash } from 'node:crypto';
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
import { embedInBatches } from '../training/embed.js';
import { IMDAD_VERSION } from '../version.js';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, type ComponentSpec, type ModelManifest } from './manifest.js';
import { applyPreprocessing, fitMinMax, type Preprocessing } from './preprocessing.js';

/** What to train: contributions by name with their (unvalidated) options. */
export interface DetectorSpec {
  readonly backbone: string;
  readonly backboneOptions?: Record<string, unknown>;
  readonly head: string;
  readonly headOptions?: Record<string, unknown>;
  readonly trainer?: string;
  readonly trainerOptions?: Record<string, unknown>;
  /** `auto`: min-max for tabular rows, none for images (loaders scale pixels to [0, 1]). */
  readonly scaling?: 'auto' | 'minmax' | 'none';
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

function fingerprint(dataset: Dataset): string {
  const hash = createHash('sha256');
  hash.update(new Uint8Array(dataset.x.buffer, dataset.x.byteOffset, dataset.x.byteLength));
  if (dataset.y) hash.update(dataset.y);
  return hash.digest('hex');
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
  static async train(
    container: Container,
    dataset: Dataset,
    spec: DetectorSpec,
    options: { onProgress?: (p: TrainingProgress) => void; backend?: string } = {},
  ): Promise<Detector> {
    const encoder = getContribution<Encoder<object>>(container, Encoder, 'backbone', spec.backbone);
    const head = getContribution<Head<object>>(container, Head, 'head', spec.head);
    const trainer = getContribution<Trainer<object>>(container, Trainer, 'trainer', spec.trainer ?? 'adam');
    const encoderOptions = parseOptions(encoder, spec.backboneOptions, `backbone "${encoder.name}" options`);
    const headOptions = parseOptions(head, spec.headOptions, `head "${head.name}" options`);
    const trainerOptions = parseOptions(trainer, spec.trainerOptions, `trainer "${trainer.name}" options`);
    const seed = spec.seed ?? 0;
    const scaling = spec.scaling ?? 'auto';
    const width = sampleSize(dataset.sampleShape);
    const preprocessing: Preprocessing =
      scaling === 'minmax' || (scaling === 'auto' && dataset.sampleShape.length === 1)
        ? fitMinMax(dataset.x, dataset.n, width)
        : { kind: 'none' };
    const prepared: Dataset = { ...dataset, x: applyPreprocessing(preprocessing, dataset.x) };

    const started = performance.now();
    const result = await trainer.train({
      dataset: prepared,
      encoder,
      encoderOptions,
      head,
      headOptions,
      options: trainerOptions,
      seed,
      onProgress: options.onProgress,
    });
    const seconds = (performance.now() - started) / 1000;
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
        fingerprint: fingerprint(dataset),
      },
    };
    const detector = new Detector(result.network, result.head, Detector.completeManifest(manifest, result.network, result.head, null));
    const reference = detector.nearestNormalRow(prepared);
    return new Detector(result.network, result.head, Detector.completeManifest(manifest, result.network, result.head, reference));
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
        throw new ImdadError('model', 'model weights do not match its backbone; the model directory is damaged or from another version');
      }
      const total = specs.reduce((sum, s) => sum + sampleSize(s.shape), 0);
      if (weights.length !== total) {
        throw new ImdadError('model', `weights.bin holds ${weights.length} values, the manifest lists ${total}; the model directory is damaged`);
      }
      let offset = 0;
      const take = (shape: readonly number[]): Float32Array => {
        const size = sampleSize(shape);
        const part = weights.subarray(offset, offset + size);
        offset += size;
        return part;
      };
      network.setWeights(expected.map((shape) => tf.tensor(take(shape), shape)));
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
    reference: Float32Array | null,
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
      reference: reference ? Array.from(reference) : null,
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
      throw new ImdadError('input', `rows have ${x.length / Math.max(n, 1)} values, the model expects ${width}`);
    }
    return this.scorePrepared(this.preprocess(x), n);
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

  dispose(): void {
    this.network.dispose();
    this.head.dispose();
  }
}
