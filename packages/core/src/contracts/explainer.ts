import type { ModelManifest } from '../model/manifest.js';
import type { tf } from '../tf.js';
import type { Dataset } from './dataset.js';
import type { HeadModel } from './head.js';
import type { Configurable } from './options.js';

/** Extension point: explains why rows score as they do, and renders the explanation as a report. */
export const Explainer = Symbol.for('imdad/Explainer');

/**
 * What an explainer may read of a trained model. A `Detector` is one; so is
 * any encoder network with a head, e.g. in a test.
 */
export interface ExplainableModel {
  /** The encoder network, mapping inputs to embeddings. */
  readonly network: tf.LayersModel;
  /** The trained head that scores embeddings. */
  readonly head: HeadModel;
  /** Shape of one sample, as the network takes it (without the batch axis). */
  readonly inputShape: readonly number[];
  /** Maps raw rows (row-major) to the network's input space (e.g. min-max scaling). */
  preprocess(x: Float32Array): Float32Array;
  /** Preprocessed row nearest the center among the unlabeled training rows: the normal reference. */
  readonly reference?: Float32Array;
  /** What a saved model says about itself (backbone, head, feature names), for read-outs; absent for an unsaved model. */
  readonly manifest?: Pick<ModelManifest, 'encoder' | 'head' | 'featureNames'>;
}

/** What to explain: rows of a dataset and, optionally, the rows taken as normal. */
export interface ExplanationRequest {
  /** Raw rows, as a loader returns them; labels (`y`), when present, colour the pictures. */
  readonly data: Dataset;
  /** Rows of `data` to explain (0-based), in the order they are reported. */
  readonly indices: readonly number[];
  /**
   * Rows of `data` taken as normal (e.g. label 0, or inside the sphere): for each
   * explained row the explainer may report the nearest of them in the embedding.
   */
  readonly normalRows?: readonly number[];
}

/** Center and radius read from the head's weights, with the empty sphere flagged rather than hidden. */
export interface SphereReadout {
  /** The center `c` in embedding space. */
  readonly center: readonly number[];
  /** `sqrt(max(R^2, 0))`. */
  readonly radius: number;
  /** `R^2`; may be `<= 0`. */
  readonly radiusSquared: number;
  /** `R^2 <= 0`: no row is inside; every row scores as an anomaly. */
  readonly empty: boolean;
}

/** A normal row near an explained one, by distance in the embedding. */
export interface NearbyRow {
  /** The normal row's index in the request's data (0-based). */
  readonly index: number;
  /** `||phi(x) - phi(x_normal)||`. */
  readonly distance: number;
}

/** The explanation of one row. */
export interface RowExplanation {
  /** The row's index in the request's data (0-based). */
  readonly index: number;
  /** `s(x) = ||phi(x) - c||^2 - R^2`; positive outside the sphere. */
  readonly score: number;
  /** `||phi(x) - c||^2`. */
  readonly distanceSquared: number;
  /** `R - ||phi(x) - c||`: how far inside the boundary the row is (negative: outside). */
  readonly margin: number;
  /** The row's label in the request's data, when it has labels. */
  readonly label?: number;
  /** Per embedding dimension: `(phi_k - c_k)^2`; they sum to `score + R^2`. */
  readonly dimensions: readonly number[];
  /**
   * Per value of the preprocessed input (row-major over the sample shape, so one
   * per tabular feature or per image pixel and channel): the attribution of the score.
   */
  readonly attributions: readonly number[];
  /**
   * For path methods: `sum(attributions) - (score - baseline score)`, zero for an
   * exact path integral; the error of the numerical integration.
   */
  readonly completenessError?: number;
  /** The nearest rows among `request.normalRows`, nearest first. */
  readonly nearestNormals?: readonly NearbyRow[];
}

/** The explanation of a set of rows under one model. */
export interface Explanation {
  /** The explainer's name. */
  readonly explainer: string;
  /** The attribution method used (e.g. `integrated-gradients`). */
  readonly method: string;
  /** The explainer's options as used (defaults filled in), so that a report can state them. */
  readonly options: Readonly<Record<string, unknown>>;
  /** The model's hypersphere. */
  readonly sphere: SphereReadout;
  /** The input the attributions are measured from, when the method uses one. */
  readonly baseline?: {
    /** Where it came from, e.g. `reference` (the model's normal reference row) or `zeros`. */
    readonly kind: string;
    /** The baseline's score `s(baseline)`. */
    readonly score: number;
  };
  /** One explanation per requested row, in request order. */
  readonly rows: readonly RowExplanation[];
}

/** A rendered report: files by path relative to the report folder; `index.html` is the entry. */
export interface ExplanationReport {
  /** File contents by path relative to the report folder. */
  readonly files: ReadonlyMap<string, string | Uint8Array>;
}

/**
 * An explainer plugin. `explain` computes the numbers; `report` turns them into
 * files a person opens (the CLI writes them into the report folder atomically).
 */
export interface Explainer<Options extends object = Record<string, unknown>> extends Configurable<Options> {
  /** Computes the explanation of the requested rows under the model. */
  explain(model: ExplainableModel, request: ExplanationRequest, options: Options): Promise<Explanation>;
  /** Renders an explanation as report files. */
  report(model: ExplainableModel, request: ExplanationRequest, explanation: Explanation): Promise<ExplanationReport>;
}
