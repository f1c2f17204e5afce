import {
  Detector as TrainedModel,
  Explainer,
  ImdadError,
  createContainer,
  decodeModel,
  describeSettingsIssue,
  detectorSettingsSchema,
  encodeModel,
  getContribution,
  parseManifest,
  parseOptions,
  pluginFromModule,
  resolveDetectorSpec,
  useBackend,
  type BackendName,
  type DetectorSettings,
  type DetectorSpec,
  type Explanation,
  type LoadedPlugin,
  type ModelFiles,
  type ModelManifest,
  type PluginModule,
  type TrainingProgress,
} from '@imdad/core';
import type { Container } from 'inversify';
import { z } from 'zod';
import { toDataset, toLabels, type Labels, type Rows } from './inputs.js';
import { platform } from './platform.js';

/** The options of {@link Detector.create}: the rc file's settings, with plugins as names or imported modules. */
export type DetectorOptions = Partial<z.input<typeof detectorSettingsSchema>> & {
  /**
   * Extra plugins: package names or paths (Node only: `imdad-plugin-conv1d`,
   * `./my-plugin`), or imported plugin modules (`await import('imdad-plugin-conv1d')`, anywhere).
   */
  readonly plugins?: readonly (string | PluginModule)[];
};

/** Options of {@link Detector.load}: how to run a saved model (its backbone, head and options come from the model). */
export type LoadOptions = Pick<DetectorOptions, 'plugins' | 'backend'>;

/** Options of {@link Detector.fit}. */
export interface FitOptions {
  /** Called after every epoch with the loss and the throughput (`phase: 'pretrain'` during pretraining). */
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** One name per feature of a tabular row, kept in the model for explanations. */
  readonly featureNames?: readonly string[];
}

/** Options of {@link Detector.explain}: which rows, and the explainer's own options (`method`, `steps`, `baseline`, `nearest`). */
export interface ExplainOptions {
  /** Rows of `x` to explain (0-based); default: every row. */
  readonly rows?: readonly number[];
  /** Rows of `x` taken as normal, among which the nearest neighbours of each explained row are reported. */
  readonly normalRows?: readonly number[];
  /** The explainer (default: `default`). */
  readonly explainer?: string;
  /** Options for the explainer, e.g. `{ method: 'gradient', nearest: 0 }`. */
  readonly [option: string]: unknown;
}

const optionsSchema = detectorSettingsSchema.extend({
  plugins: z.array(z.union([z.string().min(1), z.custom<PluginModule>((value) => typeof value === 'object' && value !== null, 'expected a plugin name or an imported plugin module')])).default([]),
});

/** Validates options the way the CLI validates its rc file: one line naming the key. */
function parseDetectorOptions(options: unknown, where: string): z.output<typeof optionsSchema> {
  const parsed = optionsSchema.safeParse(options ?? {});
  if (!parsed.success) throw new ImdadError('config', `${where}: ${describeSettingsIssue(parsed.error.issues[0], Object.keys(optionsSchema.shape))}`);
  return parsed.data;
}

/** Built-in plugins, then imported modules, then plugins by name (resolved from the working directory in Node). */
async function pluginsFor(given: readonly (string | PluginModule)[]): Promise<LoadedPlugin[]> {
  const modules = given.filter((p): p is PluginModule => typeof p !== 'string').map((p, i) => pluginFromModule(p, `plugins[${i}]`));
  const names = given.filter((p): p is string => typeof p === 'string');
  return [...platform().builtInPlugins, ...modules, ...(names.length > 0 ? await platform().loadPlugins(names) : [])];
}

/** Validated options, the container with their plugins, and the backend they ask for, active. */
async function setUp(options: unknown, where: string): Promise<{ settings: z.output<typeof optionsSchema>; container: Container; backend: BackendName }> {
  const settings = parseDetectorOptions(options, where);
  const { container } = await createContainer({ plugins: await pluginsFor(settings.plugins) });
  return { settings, container, backend: await useBackend(settings.backend) };
}

/**
 * An IMD-AD anomaly detector: a deep hypersphere whose center and radius are
 * read from the network's last layer, trained on unlabeled rows and a few
 * labeled anomalies.
 *
 * ```ts
 * const detector = await Detector.create({ seed: 1 });
 * await detector.fit(rows, labels);        // labels: 1 = known anomaly, 0 = unlabeled
 * const scores = detector.score(newRows);  // > 0: outside the sphere
 * await detector.save('model');
 * ```
 */
export class Detector {
  private model: TrainedModel | undefined;

  private constructor(
    private readonly container: Container,
    private readonly settings: DetectorSettings,
    /** The tensor backend this detector runs on (tfjs has one active backend per process or page). */
    readonly backend: BackendName,
  ) {}

  /**
   * A detector that is not fitted yet. Options have the rc file's names and
   * validation (`backbone`, `backboneOptions`, `head`, `headOptions`, `trainer`,
   * `trainerOptions`, `seed`, `backend`) plus `plugins`; names and options are
   * checked here, before any data is seen.
   */
  static async create(options: DetectorOptions = {}): Promise<Detector> {
    const { settings, container, backend } = await setUp(options, 'Detector.create');
    resolveDetectorSpec(container, settings);
    return new Detector(container, settings, backend);
  }

  /**
   * A saved model: a folder written by {@link Detector.save} or `imdad train`
   * (Node), a URL serving those files (browsers; `http(s)://` in Node too), or
   * the files themselves from {@link Detector.toFiles}.
   */
  static async load(source: string | ModelFiles, options: LoadOptions = {}): Promise<Detector> {
    const { settings, container, backend } = await setUp(options, 'Detector.load');
    const model =
      typeof source === 'string'
        ? await platform().loadModel(container, source)
        : decodeModel(container, parseManifest(source.manifest, 'the model files'), source.weights, 'the model files');
    const { manifest } = model;
    const detector = new Detector(
      container,
      {
        ...settings,
        seed: manifest.seed,
        backbone: manifest.encoder.name,
        backboneOptions: manifest.encoder.options,
        head: manifest.head.name,
        headOptions: manifest.head.options,
        trainer: manifest.trainer.name,
        trainerOptions: manifest.trainer.options,
      },
      backend,
    );
    detector.model = model;
    return detector;
  }

  /**
   * Trains on `x`; `y` marks labeled anomalies (1) among unlabeled rows (0).
   * Without `y` (or without any 1) training is one-class: every row counts as
   * normal. Fitting again replaces the model.
   */
  async fit(x: Rows, y?: Labels, options: FitOptions = {}): Promise<this> {
    const rows = toDataset(x);
    const dataset = { ...rows, y: y === undefined ? undefined : toLabels(y, rows.n), featureNames: options.featureNames };
    if (options.featureNames && (rows.sampleShape.length !== 1 || options.featureNames.length !== rows.sampleShape[0])) {
      throw new ImdadError('input', `featureNames has ${options.featureNames.length} names for samples of shape [${rows.sampleShape.join(', ')}]; give one per feature of a tabular row`);
    }
    const spec: DetectorSpec = this.settings;
    const model = await TrainedModel.train(this.container, dataset, spec, { onProgress: options.onProgress, backend: this.backend });
    this.model?.dispose();
    this.model = model;
    return this;
  }

  /** Anomaly scores `||phi(x) - c||^2 - R^2`, one per row: positive outside the sphere. */
  score(x: Rows): Float32Array {
    const model = this.fitted();
    return model.scoreDataset({ ...toDataset(x), source: 'x' }).score;
  }

  /** `true` for rows the model flags: those outside its sphere (score > 0, the model's own threshold). */
  predict(x: Rows): boolean[] {
    return Array.from(this.score(x), (s) => s > 0);
  }

  /** The sphere's center `c = -w/2` in embedding space, read from the last layer's weights. */
  get center(): Float32Array {
    return this.fitted().sphere().center;
  }

  /** The sphere's radius `R = sqrt(||w||^2/4 - b)` (0 for an empty sphere, `R^2 <= 0`). */
  get radius(): number {
    return Math.sqrt(Math.max(this.fitted().sphere().radiusSquared, 0));
  }

  /** What the model says about itself: backbone, head, options, input shape, training summary, sphere. */
  get manifest(): ModelManifest {
    return this.fitted().manifest;
  }

  /** True once {@link Detector.fit} or {@link Detector.load} gave the detector a model. */
  get isFitted(): boolean {
    return this.model !== undefined;
  }

  /**
   * Explains the scores of rows of `x`: the distance to the center per
   * embedding dimension and attributions per input value (integrated
   * gradients from the model's normal reference row by default).
   */
  async explain(x: Rows, options: ExplainOptions = {}): Promise<Explanation> {
    const model = this.fitted();
    const { rows, normalRows, explainer: name = 'default', ...explainerOptions } = options;
    const data = { ...toDataset(x), source: 'x' };
    const explainer = getContribution<Explainer<object>>(this.container, Explainer, 'explainer', name);
    const parsed = parseOptions(explainer, explainerOptions, `explainer "${explainer.name}" options`);
    const indices = rows ? [...rows] : Array.from({ length: data.n }, (_, i) => i);
    return explainer.explain(model, { data, indices, normalRows }, parsed);
  }

  /** Saves the model as a model directory (`manifest.json`, `weights.bin`), atomically; the CLI reads it too. Node only. */
  async save(dir: string): Promise<void> {
    await platform().saveModel(this.fitted(), dir);
  }

  /** The model directory's two files, for storing them elsewhere (a browser's IndexedDB, a database, a download). */
  toFiles(): ModelFiles {
    return encodeModel(this.fitted());
  }

  /** Frees the model's tensors; the detector can be fitted again afterwards. */
  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }

  private fitted(): TrainedModel {
    if (!this.model) throw new ImdadError('usage', 'the detector has no model yet: call fit(x, y) first, or use Detector.load(...)');
    return this.model;
  }
}
