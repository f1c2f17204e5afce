import { injectable } from 'inversify';
import { z } from 'zod';
import { sampleSize, type Dataset } from '../contracts/dataset.js';
import type { HeadModel } from '../contracts/head.js';
import type { Trainer, TrainingProgress, TrainRequest, TrainResult } from '../contracts/trainer.js';
import { ImdadError } from '../errors.js';
import { SeededRandom } from '../random.js';
import { tf } from '../tf.js';
import { BatchPlanner } from './batches.js';
import { embedInBatches } from './embed.js';

/** Options of the Adam trainer. */
export const trainerOptionsSchema = z.strictObject({
  epochs: z.number().int().positive().default(50),
  batchSize: z.number().int().min(2).default(128),
  learningRate: z.number().positive().default(1e-3),
  /** L2 penalty on the encoder's kernels. */
  weightDecay: z.number().nonnegative().default(1e-5),
  /** Share of each mini-batch given to (oversampled) labeled anomalies. */
  anomalyFraction: z.number().gt(0).lt(1).default(0.25),
  /** Epochs of autoencoder pretraining of the encoder before the head is placed (0: none). */
  pretrainEpochs: z.number().int().nonnegative().default(0),
  /** Share of rows held out for early stopping (0: no validation, train all epochs). */
  validationSplit: z.number().min(0).lt(1).default(0),
  /** Epochs without a better validation loss before stopping. */
  patience: z.number().int().positive().default(10),
});

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
    if (unlabeled.length === 0) throw new ImdadError('input', 'every training row is a labeled anomaly; unlabeled rows are needed');

    if (options.pretrainEpochs > 0) await this.pretrain(network, x, train, options, request.seed, report);

    const unlabeledPhi = (): tf.Tensor2D => embedInBatches(network, x, unlabeled, options.batchSize);
    const startPhi = unlabeledPhi();
    head.warmStart(startPhi);
    startPhi.dispose();

    const optimizer = tf.train.adam(options.learningRate);
    const encoderVariables = network.trainableWeights.map((w) => w.read() as tf.Variable);
    const decayed = network.trainableWeights.filter((w) => w.name.includes('kernel')).map((w) => w.read());
    const variables = [...encoderVariables, ...head.trainableVariables];
    const planner = new BatchPlanner(unlabeled, anomalies, options.batchSize, options.anomalyFraction, request.seed);
    const validationTargets = targetsOf(validation, dataset.y);
    let best = { loss: Infinity, weights: undefined as tf.Tensor[] | undefined, epoch: 0 };

    try {
      for (let epoch = 1; epoch <= options.epochs; epoch++) {
        const started = performance.now();
        let lossSum = 0;
        let rowsSeen = 0;
        for (const batch of planner.epoch()) {
          const loss = tf.tidy(() => {
            const rows = tf.tensor1d(batch.rows, 'int32');
            const targets = tf.tensor1d(batch.targets);
            return optimizer.minimize(
              () => {
                const phi = network.apply(tf.gather(x, rows), { training: true }) as tf.Tensor2D;
                const objective = head.loss(phi, targets, train.length);
                if (options.weightDecay === 0 || decayed.length === 0) return objective;
                const decay = tf.addN(decayed.map((k) => tf.sum(tf.square(k))));
                return tf.add(objective, tf.mul(decay, options.weightDecay / 2)) as tf.Scalar;
              },
              true,
              variables,
            ) as tf.Scalar;
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
        if (validationLoss === undefined) continue;
        if (validationLoss < best.loss) {
          best.weights?.forEach((t) => t.dispose());
          best = { loss: validationLoss, weights: variables.map((v) => tf.clone(v)), epoch };
        } else if (epoch - best.epoch >= options.patience) {
          break;
        }
      }
      if (best.weights) variables.forEach((v, i) => v.assign(best.weights![i]));
    } finally {
      best.weights?.forEach((t) => t.dispose());
      optimizer.dispose();
    }
    const finalPhi = unlabeledPhi();
    head.finish(finalPhi);
    finalPhi.dispose();
    return history;
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
    const optimizer = tf.train.adam(options.learningRate);
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

function targetsOf(rows: Int32Array, y: Uint8Array | undefined): Float32Array {
  return Float32Array.from(rows, (i) => (y?.[i] === 1 ? 1 : -1));
}
