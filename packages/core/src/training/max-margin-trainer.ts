import { injectable } from 'inversify';
import { z } from 'zod';
import { sampleSize, type Dataset } from '../contracts/dataset.js';
import type { HeadModel } from '../contracts/head.js';
import type { SnapshotTensor, Trainer, TrainerSnapshot, TrainingProgress, TrainRequest, TrainResult } from '../contracts/trainer.js';
import { ImdadError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { tf } from '../tf.js';
import { BatchPlanner } from './batches.js';
import { embedInBatches } from './embed.js';
import { FusedAdamOptimizer } from './fused-adam.js';

/** Options of the Adam trainer. */
export const trainerOptionsSchema = z.strictObject({
  /** Epochs of the main training phase (fewer if early stopping ends it). */
  epochs: z.number().int().positive().default(50),
  /** Rows per mini-batch, unlabeled and labeled anomalies together. */
  batchSize: z.number().int().min(2).default(128),
  /** Adam's learning rate. */
  learningRate: z.number().positive().default(1e-3),
  /** L2 penalty on the encoder's kernels. */
  weightDecay: z.number().nonnegative().default(1e-5),
  /** Share of each mini-batch given to (oversampled) labeled anomalies. */
  anomalyFraction: z.number().gt(0).lt(1).default(0.5),
  /** Epochs of autoencoder pretraining of the encoder before the head is placed (0: none). */
  pretrainEpochs: z.number().int().nonnegative().default(0),
  /** Share of rows held out for early stopping (0: no validation, train all epochs). */
  validationSplit: z.number().min(0).lt(1).default(0),
  /** Epochs without a better validation loss before stopping. */
  patience: z.number().int().positive().default(10),
  /**
   * Share of unlabeled rows left out of each epoch: those the model scores highest.
   * Unlabeled data hides anomalies; trimming stops the loss from pulling them into the sphere.
   */
  unlabeledTrim: z.number().min(0).lt(1).default(0.1),
});

/** Options of the Adam trainer, defaults filled in. */
export type MaxMarginTrainerOptions = z.infer<typeof trainerOptionsSchema>;

/** Splits row indices into unlabeled and labeled-anomaly rows. */
function splitByLabel(rows: Int32Array, y: Uint8Array | undefined): { unlabeled: Int32Array; anomalies: Int32Array } {
  const unlabeled: number[] = [];
  const anomalies: number[] = [];
  for (const i of rows) (y?.[i] === 1 ? anomalies : unlabeled).push(i);
  return { unlabeled: Int32Array.from(unlabeled), anomalies: Int32Array.from(anomalies) };
}

/** Holds out a stratified share of unlabeled rows and of labeled anomalies (when there are at least 2). */
function holdOut(dataset: Dataset, share: number, seed: number): { train: Int32Array; validation: Int32Array } {
  const all = Int32Array.from({ length: dataset.n }, (_, i) => i);
  if (share === 0) return { train: all, validation: new Int32Array(0) };
  const random = new SeededRandom(seed + 7919);
  const train: number[] = [];
  const validation: number[] = [];
  for (const group of Object.values(splitByLabel(all, dataset.y))) {
    const shuffled = random.shuffle(Array.from(group));
    const held = group.length >= 2 ? Math.max(1, Math.round(group.length * share)) : 0;
    validation.push(...shuffled.slice(0, held));
    train.push(...shuffled.slice(held));
  }
  return { train: Int32Array.from(train), validation: Int32Array.from(validation) };
}

/**
 * Jointly optimises the encoder and the head with Adam: warm start of `(w, b)`
 * from the data, mini-batches that always carry labeled anomalies, optional
 * autoencoder pretraining and early stopping. Seeded: the same request on the
 * same backend gives the same model.
 */
@injectable()
export class MaxMarginTrainer implements Trainer<MaxMarginTrainerOptions> {
  readonly name = 'adam';
  readonly description = 'joint Adam training of encoder and head, anomalies in every batch';
  readonly optionsSchema = trainerOptionsSchema;

  /** Trains encoder and head jointly with Adam; see the options for pretraining, early stopping and trimming. */
  async train(request: TrainRequest): Promise<TrainResult> {
    const options = request.options as MaxMarginTrainerOptions;
    const { dataset, seed } = request;
    if (dataset.n === 0) throw new ImdadError('input', 'no training rows');
    const network = request.encoder.build(dataset.sampleShape, request.encoderOptions, { seed });
    const embeddingDim = network.outputs[0].shape[1];
    if (typeof embeddingDim !== 'number') {
      throw new ImdadError('plugin-invalid', `backbone "${request.encoder.name}" must output [batch, d] embeddings`);
    }
    const head = request.head.create(embeddingDim, request.headOptions);
    const x = tf.tensor(dataset.x, [dataset.n, ...dataset.sampleShape]);
    try {
      const history = await this.fit(network, head, x, dataset, options, request);
      return { network, head, epochs: history.filter((h) => h.phase === 'train').length, history };
    } catch (error) {
      network.dispose();
      head.dispose();
      throw error;
    } finally {
      x.dispose();
    }
  }

  private async fit(
    network: tf.LayersModel,
    head: HeadModel,
    x: tf.Tensor,
    dataset: Dataset,
    options: MaxMarginTrainerOptions,
    request: TrainRequest,
  ): Promise<TrainingProgress[]> {
    const history: TrainingProgress[] = [];
    const report = (progress: TrainingProgress): void => {
      history.push(progress);
      request.onProgress?.(progress);
    };
    const { train, validation } = holdOut(dataset, options.validationSplit, request.seed);
    const { unlabeled, anomalies } = splitByLabel(train, dataset.y);
    if (unlabeled.length === 0) {
      throw new ImdadError('input', `${dataset.source ?? 'the training data'}: every training row is a labeled anomaly (label 1); unlabeled rows (label 0) are needed`);
    }
    const resume = request.checkpoint?.resumeFrom;

    if (!resume && options.pretrainEpochs > 0) await this.pretrain(network, x, train, options, request.seed, report);

    const unlabeledPhi = (): tf.Tensor2D => embedInBatches(network, x, unlabeled, options.batchSize);
    if (!resume) {
      const startPhi = unlabeledPhi();
      head.warmStart(startPhi);
      startPhi.dispose();
    }

    const encoderVariables = network.trainableWeights.map((w) => w.read() as tf.Variable);
    const decayed = network.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read() as tf.Variable);
    // The L2 penalty's gradient, weightDecay · kernel, is added inside the Adam update (no backward pass through it).
    const optimizer = new FusedAdamOptimizer(options.learningRate, decayed.map((k) => k.name), options.weightDecay);
    const variables = [...encoderVariables, ...head.trainableVariables];
    const planner = new BatchPlanner(unlabeled, anomalies, options.batchSize, options.anomalyFraction, request.seed);
    const validationTargets = targetsOf(validation, dataset.y);
    const run: RunState = { network, head, optimizer, planner, variables, history, best: { loss: Infinity, weights: undefined, epoch: 0 } };
    const every = request.checkpoint?.every ?? 0;

    try {
      const firstEpoch = resume ? (await this.restore(run, resume)) + 1 : 1;
      for (let epoch = firstEpoch; epoch <= options.epochs; epoch++) {
        const started = performance.now();
        let lossSum = 0;
        let rowsSeen = 0;
        // Trimming is a function of the weights at the start of the epoch: a checkpoint of the weights is a checkpoint of it.
        const epochRows = options.unlabeledTrim > 0 && epoch > 1 ? this.trimmed(network, head, x, unlabeled, options) : unlabeled;
        for (const batch of planner.epoch(epochRows)) {
          const loss = tf.tidy(() => {
            const rows = tf.tensor1d(batch.rows, 'int32');
            const targets = tf.tensor1d(batch.targets);
            // The penalty at the weights before the step, as part of the reported loss only: its gradient is in the optimizer.
            const penalty = options.weightDecay === 0 || decayed.length === 0 ? undefined : tf.mul(tf.addN(decayed.map((k) => tf.sum(tf.square(k)))), options.weightDecay / 2);
            const objective = optimizer.minimize(
              () => head.loss(network.apply(tf.gather(x, rows), { training: true }) as tf.Tensor2D, targets, train.length),
              true,
              variables,
            ) as tf.Scalar;
            return penalty ? (tf.add(objective, penalty) as tf.Scalar) : objective;
          });
          const value = (await loss.data())[0];
          loss.dispose();
          if (!Number.isFinite(value)) {
            throw new ImdadError('runtime', `training diverged at epoch ${epoch} (loss ${value}); lower the learning rate`);
          }
          lossSum += value * batch.rows.length;
          rowsSeen += batch.rows.length;
        }
        const seconds = (performance.now() - started) / 1000;
        const validationLoss = validation.length > 0 ? this.evaluate(network, head, x, validation, validationTargets, train.length, options.batchSize) : undefined;
        report({ phase: 'train', epoch, epochs: options.epochs, loss: lossSum / rowsSeen, validationLoss, samplesPerSecond: rowsSeen / seconds, seconds });
        if (validationLoss !== undefined) {
          if (validationLoss < run.best.loss) {
            run.best.weights?.forEach((t) => t.dispose());
            run.best = { loss: validationLoss, weights: variables.map((v) => tf.clone(v)), epoch };
          } else if (epoch - run.best.epoch >= options.patience) {
            break;
          }
        }
        if (every > 0 && epoch % every === 0 && epoch < options.epochs) await request.checkpoint!.save(await this.snapshot(run, epoch));
      }
      if (run.best.weights) variables.forEach((v, i) => v.assign(run.best.weights![i]));
    } finally {
      run.best.weights?.forEach((t) => t.dispose());
      optimizer.dispose();
    }
    const finalPhi = unlabeledPhi();
    head.finish(finalPhi);
    finalPhi.dispose();
    return history;
  }

  /**
   * Everything the next epoch depends on: encoder weights (non-trainable ones
   * too, e.g. batch-norm statistics), head weights, Adam's moments and step
   * counters, the batch planner's generator, the best weights of early stopping,
   * and the history.
   */
  private async snapshot(run: RunState, epoch: number): Promise<TrainerSnapshot> {
    const tensors: SnapshotTensor[] = [];
    const add = (name: string, tensor: tf.Tensor): void => {
      tensors.push({ name, shape: [...tensor.shape], values: Float32Array.from(tensor.dataSync()) });
    };
    run.network.getWeights().forEach((t, i) => add(`network/${i}`, t));
    const { w, b } = run.head.getWeights();
    tensors.push({ name: 'head/w', shape: [w.length], values: Float32Array.from(w) }, { name: 'head/b', shape: [], values: Float32Array.of(b) });
    const [iterations, ...moments] = await run.optimizer.getWeights();
    const steps = (await iterations.tensor.data())[0];
    iterations.tensor.dispose();
    moments.forEach((m, i) => add(`adam/${i}`, m.tensor));
    run.best.weights?.forEach((t, i) => add(`best/${i}`, t));
    const adam = adamInternals(run.optimizer);
    const state: MaxMarginTrainerState = {
      plannerRandom: run.planner.randomState,
      adam: { steps, moments: moments.length, accBeta1: adam?.accBeta1.dataSync()[0] ?? null, accBeta2: adam?.accBeta2.dataSync()[0] ?? null },
      best: run.best.weights ? { loss: run.best.loss, epoch: run.best.epoch } : null,
      history: run.history.map((p) => ({ ...p })),
    };
    return { epoch, tensors, state: state as unknown as Record<string, unknown> };
  }

  /** Puts a run back where {@link snapshot} left it; returns the last completed epoch. */
  private async restore(run: RunState, snapshot: TrainerSnapshot): Promise<number> {
    const parsed = trainerStateSchema.safeParse(snapshot.state);
    if (!parsed.success || parsed.data.adam.moments !== 2 * run.variables.length) {
      throw new ImdadError('model', 'the checkpoint\'s trainer state is damaged or from another version; delete the checkpoint and train afresh');
    }
    const state = parsed.data;
    const byName = new Map(snapshot.tensors.map((t) => [t.name, t]));
    const take = (name: string, shape?: readonly number[]): tf.Tensor => {
      const saved = byName.get(name);
      if (!saved || (shape && saved.shape.join('x') !== shape.join('x'))) {
        throw new ImdadError('model', `the checkpoint does not fit this model (tensor ${name}); it was written by another configuration or version`);
      }
      return tf.tensor(saved.values, [...saved.shape]);
    };
    tf.tidy(() => run.network.setWeights(run.network.getWeights().map((t, i) => take(`network/${i}`, t.shape))));
    const w = take('head/w', [run.head.embeddingDim]);
    const b = take('head/b', []);
    run.head.setWeights({ w: w.dataSync() as Float32Array, b: b.dataSync()[0] });
    tf.dispose([w, b]);
    // Adam keeps first moments for every variable, then second moments, in the order of `variables`.
    const moments = Array.from({ length: state.adam.moments }, (_, i) => ({ name: `adam/${i}`, tensor: take(`adam/${i}`, run.variables[i % run.variables.length].shape) }));
    const iterations = { name: 'iter', tensor: tf.scalar(state.adam.steps, 'int32') };
    await run.optimizer.setWeights([iterations, ...moments]);
    tf.dispose([iterations.tensor, ...moments.map((m) => m.tensor)]);
    // setWeights recomputes beta^t with pow(); the running products differ in the last bits, so put back the saved ones.
    const adam = adamInternals(run.optimizer);
    if (adam && state.adam.accBeta1 !== null && state.adam.accBeta2 !== null) {
      tf.tidy(() => {
        adam.accBeta1.assign(tf.scalar(state.adam.accBeta1!));
        adam.accBeta2.assign(tf.scalar(state.adam.accBeta2!));
      });
    }
    run.planner.randomState = state.plannerRandom;
    if (state.best) {
      run.best = { loss: state.best.loss, epoch: state.best.epoch, weights: run.variables.map((v, i) => take(`best/${i}`, v.shape)) };
    }
    run.history.push(...state.history);
    return snapshot.epoch;
  }

  /** The unlabeled rows without the share `unlabeledTrim` that scores highest now. */
  private trimmed(network: tf.LayersModel, head: HeadModel, x: tf.Tensor, unlabeled: Int32Array, options: MaxMarginTrainerOptions): Int32Array {
    const phi = embedInBatches(network, x, unlabeled, options.batchSize * 8);
    const scores = tf.tidy(() => head.score(phi));
    const values = scores.dataSync();
    tf.dispose([phi, scores]);
    const order = Array.from(unlabeled.keys()).sort((a, b) => values[a] - values[b]);
    const keep = Math.max(1, Math.round(unlabeled.length * (1 - options.unlabeledTrim)));
    return Int32Array.from(order.slice(0, keep), (i) => unlabeled[i]);
  }

  private evaluate(
    network: tf.LayersModel,
    head: HeadModel,
    x: tf.Tensor,
    rows: Int32Array,
    targets: Float32Array,
    trainingRows: number,
    batchSize: number,
  ): number {
    const phi = embedInBatches(network, x, rows, batchSize);
    const loss = tf.tidy(() => head.loss(phi, tf.tensor1d(targets), trainingRows));
    const value = loss.dataSync()[0];
    tf.dispose([phi, loss]);
    return value;
  }

  /** Autoencoder pretraining: a dense decoder reconstructs the input from the embedding. */
  private async pretrain(
    network: tf.LayersModel,
    x: tf.Tensor,
    rows: Int32Array,
    options: MaxMarginTrainerOptions,
    seed: number,
    report: (p: TrainingProgress) => void,
  ): Promise<void> {
    const inputSize = sampleSize(x.shape.slice(1));
    const embeddingDim = network.outputs[0].shape[1] as number;
    const decoder = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [embeddingDim], units: Math.max(64, 2 * embeddingDim), activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 101 }) }),
        tf.layers.dense({ units: inputSize, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 102 }) }),
      ],
    });
    const optimizer = new FusedAdamOptimizer(options.learningRate);
    const variables = [...network.trainableWeights, ...decoder.trainableWeights].map((w) => w.read() as tf.Variable);
    const random = new SeededRandom(seed + 31);
    try {
      for (let epoch = 1; epoch <= options.pretrainEpochs; epoch++) {
        const started = performance.now();
        const order = random.shuffle(Int32Array.from(rows));
        let lossSum = 0;
        for (let start = 0; start < order.length; start += options.batchSize) {
          const batch = order.subarray(start, start + options.batchSize);
          const loss = tf.tidy(() => {
            const input = tf.gather(x, tf.tensor1d(batch, 'int32'));
            return optimizer.minimize(() => {
              const phi = network.apply(input, { training: true }) as tf.Tensor;
              const reconstruction = decoder.apply(phi, { training: true }) as tf.Tensor;
              return tf.losses.meanSquaredError(tf.reshape(input, [batch.length, inputSize]), reconstruction) as tf.Scalar;
            }, true, variables) as tf.Scalar;
          });
          lossSum += (await loss.data())[0] * batch.length;
          loss.dispose();
        }
        const seconds = (performance.now() - started) / 1000;
        report({ phase: 'pretrain', epoch, epochs: options.pretrainEpochs, loss: lossSum / order.length, samplesPerSecond: order.length / seconds, seconds });
      }
    } finally {
      optimizer.dispose();
      decoder.dispose();
    }
  }
}

/** The live objects of one training run, as {@link MaxMarginTrainer} snapshots and restores them. */
interface RunState {
  readonly network: tf.LayersModel;
  readonly head: HeadModel;
  readonly optimizer: FusedAdamOptimizer;
  readonly planner: BatchPlanner;
  readonly variables: readonly tf.Variable[];
  readonly history: TrainingProgress[];
  best: { loss: number; weights: tf.Tensor[] | undefined; epoch: number };
}

/** The JSON part of a snapshot of this trainer, checked when a run is resumed. */
const trainerStateSchema = z.object({
  plannerRandom: z.number().int().min(0).max(0xffffffff),
  adam: z.object({
    steps: z.number().int().nonnegative(),
    moments: z.number().int().nonnegative(),
    accBeta1: z.number().nullable(),
    accBeta2: z.number().nullable(),
  }),
  best: z.object({ loss: z.number(), epoch: z.number().int().nonnegative() }).nullable(),
  history: z.array(
    z.object({
      phase: z.enum(['pretrain', 'train']),
      epoch: z.number(),
      epochs: z.number(),
      loss: z.number(),
      validationLoss: z.number().optional(),
      samplesPerSecond: z.number(),
      seconds: z.number(),
    }),
  ),
});

type MaxMarginTrainerState = z.infer<typeof trainerStateSchema>;

/** Adam's running products beta^t, which its public getWeights() leaves out; undefined if tfjs renames them. */
function adamInternals(optimizer: tf.AdamOptimizer): { accBeta1: tf.Variable; accBeta2: tf.Variable } | undefined {
  const fields = optimizer as unknown as { accBeta1?: tf.Variable; accBeta2?: tf.Variable };
  return fields.accBeta1 instanceof tf.Variable && fields.accBeta2 instanceof tf.Variable ? { accBeta1: fields.accBeta1, accBeta2: fields.accBeta2 } : undefined;
}

function targetsOf(rows: Int32Array, y: Uint8Array | undefined): Float32Array {
  return Float32Array.from(rows, (i) => (y?.[i] === 1 ? 1 : -1));
}
