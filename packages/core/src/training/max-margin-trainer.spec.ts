import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../backend/backends.js';
import type { TrainingProgress } from '../contracts/trainer.js';
import { DeepSvddHead } from '../heads/baseline-heads.js';
import { LogisticHead, SslmHead } from '../heads/max-margin-heads.js';
import { syntheticDataset, TinyEncoder } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { MaxMarginTrainer } from './max-margin-trainer.js';

const trainer = new MaxMarginTrainer();
const encoder = new TinyEncoder();

function request(head: SslmHead | LogisticHead | DeepSvddHead, overrides: Record<string, unknown> = {}, bias = true) {
  const dataset = syntheticDataset({ normals: 300, anomalies: 30, labeled: 10, width: 4, seed: 1 });
  return {
    dataset,
    encoder,
    encoderOptions: encoder.optionsSchema.parse({ bias }),
    head,
    headOptions: head.optionsSchema.parse({}),
    options: trainer.optionsSchema.parse({ epochs: 15, batchSize: 64, learningRate: 0.01, ...overrides }),
    seed: 3,
  };
}

function rowsOf(x: Float32Array, width: number, rows: number[]): tf.Tensor2D {
  return tf.tensor2d(rows.flatMap((i) => Array.from(x.subarray(i * width, (i + 1) * width))), [rows.length, width]);
}

describe('MaxMarginTrainer', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  describe('.train', () => {
    describe('when the encoder has biases and the head is sslm', () => {
      it('should not collapse: unlabeled embeddings keep their spread and labeled anomalies end outside the sphere', async () => {
        const req = request(new SslmHead());
        const { network, head } = await trainer.train(req);
        const { x, y } = req.dataset;
        const unlabeled = Array.from({ length: req.dataset.n }, (_, i) => i).filter((i) => y![i] === 0);
        const labeled = Array.from({ length: req.dataset.n }, (_, i) => i).filter((i) => y![i] === 1);
        const variance = tf.tidy(() => {
          const phi = network.predict(rowsOf(x, 4, unlabeled)) as tf.Tensor2D;
          return tf.moments(phi, 0).variance.sum().dataSync()[0];
        });
        const anomalyScores = tf.tidy(() => head.score(network.predict(rowsOf(x, 4, labeled)) as tf.Tensor2D).dataSync());
        expect(variance).toBeGreaterThan(1e-3);
        expect(Math.min(...anomalyScores)).toBeGreaterThan(0);
        expect(head.sphere().radiusSquared).toBeGreaterThan(0);
        network.dispose();
        head.dispose();
      });
    });

    describe('when trained for several epochs', () => {
      it('should hold the same number of tensors after epoch 2 as after the last epoch', async () => {
        const counts: number[] = [];
        const req = { ...request(new LogisticHead(), { epochs: 6 }), onProgress: (p: TrainingProgress) => { if (p.phase === 'train') counts.push(tf.memory().numTensors); } };
        const { network, head } = await trainer.train(req);
        expect(counts).toHaveLength(6);
        expect(counts[5]).toBe(counts[1]);
        network.dispose();
        head.dispose();
      });

      it('should leave no tensors behind once the model is disposed', async () => {
        const before = tf.memory().numTensors;
        const { network, head } = await trainer.train(request(new LogisticHead(), { epochs: 2, pretrainEpochs: 1, validationSplit: 0.2 }));
        network.dispose();
        head.dispose();
        expect(tf.memory().numTensors).toBe(before);
      });
    });

    describe('when run twice with the same seed', () => {
      it('should give identical weights', async () => {
        const first = await trainer.train(request(new LogisticHead(), { epochs: 3 }));
        const second = await trainer.train(request(new LogisticHead(), { epochs: 3 }));
        expect(Array.from(second.head.getWeights().w)).toEqual(Array.from(first.head.getWeights().w));
        [first, second].forEach((r) => { r.network.dispose(); r.head.dispose(); });
      });
    });

    describe('when early stopping is asked for', () => {
      it('should report a validation loss every epoch and stop within the epoch budget', async () => {
        const history: TrainingProgress[] = [];
        const req = { ...request(new LogisticHead(), { epochs: 40, validationSplit: 0.25, patience: 2, learningRate: 0.05 }), onProgress: (p: TrainingProgress) => history.push(p) };
        const { network, head, epochs } = await trainer.train(req);
        expect(history.every((h) => typeof h.validationLoss === 'number')).toBe(true);
        expect(epochs).toBeLessThanOrEqual(40);
        expect(epochs).toBe(history.length);
        network.dispose();
        head.dispose();
      });
    });

    describe('when autoencoder pretraining is on', () => {
      it('should report pretraining epochs with a falling reconstruction loss', async () => {
        const history: TrainingProgress[] = [];
        const req = { ...request(new LogisticHead(), { epochs: 1, pretrainEpochs: 8 }), onProgress: (p: TrainingProgress) => history.push(p) };
        const { network, head } = await trainer.train(req);
        const pretrain = history.filter((h) => h.phase === 'pretrain');
        expect(pretrain).toHaveLength(8);
        expect(pretrain[7].loss).toBeLessThan(pretrain[0].loss);
        network.dispose();
        head.dispose();
      });
    });

    describe('when unlabeled rows hide anomalies', () => {
      it('should rank the hidden anomalies higher with trimming than without', async () => {
        const hiddenScore = async (unlabeledTrim: number): Promise<number> => {
          const req = request(new LogisticHead(), { epochs: 12, unlabeledTrim });
          const { network, head } = await trainer.train(req);
          const { x, y, truth, n } = req.dataset;
          const scores = tf.tidy(() => head.score(network.predict(tf.tensor2d(x, [n, 4])) as tf.Tensor2D).dataSync());
          network.dispose();
          head.dispose();
          // Share of unlabeled normals that score below the median hidden anomaly (an AUROC-like rank measure).
          const hidden = Array.from(scores).filter((_, i) => truth[i] === 1 && y![i] === 0).sort((a, b) => a - b);
          const median = hidden[Math.floor(hidden.length / 2)];
          const normals = Array.from(scores).filter((_, i) => truth[i] === 0);
          return normals.filter((s) => s < median).length / normals.length;
        };
        const untrimmed = await hiddenScore(0);
        const trimmed = await hiddenScore(0.1);
        expect(trimmed).toBeGreaterThanOrEqual(untrimmed);
        expect(trimmed).toBeGreaterThan(0.9);
      });
    });

    describe('when the baseline is Deep SVDD', () => {
      it('should keep the center fixed and set the radius from the nu-quantile after training', async () => {
        const req = request(new DeepSvddHead(), { epochs: 3 }, false);
        const { network, head } = await trainer.train(req);
        const scores = tf.tidy(() => head.score(network.predict(tf.tensor2d(req.dataset.x, [req.dataset.n, 4])) as tf.Tensor2D).dataSync());
        const unlabeledOutside = Array.from(scores).filter((s, i) => s > 0 && req.dataset.y![i] === 0).length;
        const unlabeled = req.dataset.y!.filter((v) => v === 0).length;
        expect(unlabeledOutside / unlabeled).toBeCloseTo(0.05, 1);
        expect(head.trainableVariables).toHaveLength(0);
        network.dispose();
        head.dispose();
      });
    });
  });
});
