import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerModule } from 'inversify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../backend/backends.js';
import { createContainer } from '../container.js';
import { Encoder } from '../contracts/encoder.js';
import type { TrainerSnapshot, TrainRequest, TrainResult } from '../contracts/trainer.js';
import { ImdadError } from '../errors.js';
import { DeepSadHead } from '../heads/baseline-heads.js';
import { LogisticHead, SslmHead } from '../heads/max-margin-heads.js';
import { Detector } from '../model/detector.js';
import { syntheticDataset, TinyEncoder } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import type { TrainingCheckpoint } from './checkpoint-format.js';
import { checkpointDirFor, readCheckpoint, saveCheckpoint } from './checkpoint.js';
import { MaxMarginTrainer } from './max-margin-trainer.js';

const trainer = new MaxMarginTrainer();
const encoder = new TinyEncoder();
const dataset = syntheticDataset({ normals: 240, anomalies: 24, labeled: 8, width: 4, seed: 5 });

function request(head: LogisticHead | SslmHead | DeepSadHead, overrides: Record<string, unknown> = {}, bias = true): TrainRequest {
  return {
    dataset,
    encoder,
    encoderOptions: encoder.optionsSchema.parse({ bias }),
    head,
    headOptions: head.optionsSchema.parse({}),
    options: trainer.optionsSchema.parse({ epochs: 6, batchSize: 32, learningRate: 0.01, ...overrides }),
    seed: 11,
  };
}

/** Every weight of a trained run, flat: encoder weights (batch-norm statistics too), then the head's. */
function weightsOf(result: TrainResult): number[] {
  const values = result.network.getWeights().flatMap((t) => Array.from(t.dataSync()));
  const { w, b } = result.head.getWeights();
  return [...values, ...Array.from(w), b];
}

function dispose(...results: TrainResult[]): void {
  for (const r of results) {
    r.network.dispose();
    r.head.dispose();
  }
}

/** Trains with checkpoints kept in memory, as `save` receives them. */
async function trainWithSnapshots(req: TrainRequest, every: number, resumeFrom?: TrainerSnapshot): Promise<{ result: TrainResult; snapshots: TrainerSnapshot[] }> {
  const snapshots: TrainerSnapshot[] = [];
  const result = await trainer.train({ ...req, checkpoint: { every, resumeFrom, save: async (s) => void snapshots.push(s) } });
  return { result, snapshots };
}

describe('training checkpoints', () => {
  beforeAll(async () => {
    await useBackend('cpu');
  });

  describe(MaxMarginTrainer, () => {
    describe('.train with checkpoints', () => {
      describe('when asked for a checkpoint every 2 of 7 epochs', () => {
        it('should save after epochs 2, 4 and 6, not after the last', async () => {
          const { result, snapshots } = await trainWithSnapshots(request(new LogisticHead(), { epochs: 7 }), 2);
          expect(snapshots.map((s) => s.epoch)).toEqual([2, 4, 6]);
          dispose(result);
        });
      });

      describe.each([
        ['the logistic head', () => request(new LogisticHead())],
        ['the sslm head with early stopping on a validation split', () => request(new SslmHead(), { validationSplit: 0.2, patience: 50 })],
        ['autoencoder pretraining first', () => request(new LogisticHead(), { pretrainEpochs: 2 })],
        ['the deep-sad baseline (a head without trainable weights)', () => request(new DeepSadHead(), {}, false)],
      ])('when a run with %s is resumed from its epoch-2 snapshot', (_what, makeRequest) => {
        it('should end with exactly the weights and epoch count of the uninterrupted run', async () => {
          const { result: whole, snapshots } = await trainWithSnapshots(makeRequest(), 2);
          const { result: resumed, snapshots: later } = await trainWithSnapshots(makeRequest(), 2, snapshots[0]);
          expect(weightsOf(resumed)).toEqual(weightsOf(whole));
          expect(resumed.epochs).toBe(whole.epochs);
          expect(resumed.history.map((h) => [h.phase, h.epoch, h.loss])).toEqual(whole.history.map((h) => [h.phase, h.epoch, h.loss]));
          expect(later.map((s) => s.epoch)).toEqual([4]);
          dispose(whole, resumed);
        });
      });

      describe('when resumed', () => {
        it('should leave no tensors behind once the model is disposed', async () => {
          const { result: first, snapshots } = await trainWithSnapshots(request(new LogisticHead(), { validationSplit: 0.2 }), 2);
          dispose(first);
          const before = tf.memory().numTensors;
          const { result } = await trainWithSnapshots(request(new LogisticHead(), { validationSplit: 0.2 }), 2, snapshots[0]);
          dispose(result);
          expect(tf.memory().numTensors).toBe(before);
        });
      });
    });
  });

  describe('saveCheckpoint and readCheckpoint', () => {
    const dirs: string[] = [];
    const tempDir = (): string => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-checkpoint-'));
      dirs.push(dir);
      return dir;
    };
    afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

    function checkpoint(snapshot: TrainerSnapshot): TrainingCheckpoint {
      return {
        format: 'imdad-checkpoint',
        formatVersion: 1,
        createdAt: new Date().toISOString(),
        versions: { imdad: '0.0.0', tfjs: tf.version.tfjs },
        spec: { backbone: 'tiny', backboneOptions: {}, head: 'logistic', headOptions: {}, trainer: 'adam', trainerOptions: { epochs: 6 }, seed: 1, scaling: 'auto' },
        data: { source: '/data/x.csv', labelColumn: null, rows: 10, fingerprint: 'f'.repeat(64) },
        seconds: 1.5,
        snapshot,
      };
    }
    const tensorsFile = (dir: string): string => path.join(dir, readdirSync(dir).find((name) => name.startsWith('tensors-'))!);
    const snapshot: TrainerSnapshot = {
      epoch: 3,
      tensors: [
        { name: 'a', shape: [2, 3], values: Float32Array.of(1, 2, 3, 4, 5, 6) },
        { name: 'b', shape: [], values: Float32Array.of(-0.5) },
      ],
      state: { random: 123456789, nested: { list: [1, 2] } },
    };

    describe('when a checkpoint is written and read back', () => {
      it('should give the same tensors and state, and leave no staging folder', async () => {
        const dir = checkpointDirFor(path.join(tempDir(), 'model'));
        await saveCheckpoint(dir, checkpoint(snapshot));
        await saveCheckpoint(dir, checkpoint({ ...snapshot, epoch: 4 })); // replaces the first
        const read = await readCheckpoint(dir);
        expect(read.snapshot.epoch).toBe(4);
        expect(read.snapshot.state).toEqual(snapshot.state);
        expect(read.snapshot.tensors.map((t) => [t.name, t.shape, Array.from(t.values)])).toEqual(snapshot.tensors.map((t) => [t.name, t.shape, Array.from(t.values)]));
        expect(read.data.source).toBe('/data/x.csv');
        expect(readdirSync(path.dirname(dir))).toEqual(['model.checkpoint']);
        expect(readdirSync(dir).sort()).toEqual(['checkpoint.json', path.basename(tensorsFile(dir))]); // the replaced tensors are gone
      });
    });

    describe.each([
      ['there is no checkpoint', (_dir: string) => {}, 'input', /nothing to resume/],
      ['the tensors file is truncated', (dir: string) => truncateSync(tensorsFile(dir), 8), 'model', /tensors-3-\d+-[0-9a-f]+\.bin holds 8 bytes, the checkpoint lists 28/],
      ['the tensors file is missing', (dir: string) => rmSync(tensorsFile(dir)), 'model', /has no tensors-3-/],
      ['checkpoint.json is not JSON', (dir: string) => writeFileSync(path.join(dir, 'checkpoint.json'), '{"format": '), 'model', /not valid JSON/],
      ['checkpoint.json lacks a key', (dir: string) => writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ format: 'imdad-checkpoint', formatVersion: 1 })), 'model', /createdAt/],
      ['the checkpoint has another format version', (dir: string) => writeFileSync(path.join(dir, 'checkpoint.json'), JSON.stringify({ format: 'imdad-checkpoint', formatVersion: 9 })), 'model', /format 9/],
    ] as const)('when %s', (_what, damage, kind, message) => {
      it('should fail with one line naming the checkpoint', async () => {
        const dir = checkpointDirFor(path.join(tempDir(), 'model'));
        if (!message.source.includes('nothing')) await saveCheckpoint(dir, checkpoint(snapshot));
        damage(dir);
        const error = await readCheckpoint(dir).catch((e: unknown) => e);
        expect(ImdadError.is(error, kind), String(error)).toBe(true);
        expect((error as Error).message).toMatch(message);
        expect((error as Error).message).toContain(dir);
        expect((error as Error).message).not.toContain('\n');
      });
    });
  });

  describe('Detector.train with a checkpoint', () => {
    let dir: string;
    beforeAll(() => {
      dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-detector-checkpoint-'));
      return () => rmSync(dir, { recursive: true, force: true });
    });

    async function container() {
      const { container } = await createContainer();
      container.load(new ContainerModule(({ bind }) => { bind(Encoder).toConstantValue(new TinyEncoder()); }));
      return container;
    }
    const spec = { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 5, batchSize: 32 }, seed: 4 };

    describe('when a run is resumed from its checkpoint on disk', () => {
      it('should give the weights of the uninterrupted run, the full epoch count, and record where it resumed', async () => {
        const c = await container();
        const checkpointDir = checkpointDirFor(path.join(dir, 'model'));
        const whole = await Detector.train(c, dataset, spec, { checkpoint: { dir: checkpointDir, save: (c: TrainingCheckpoint) => saveCheckpoint(checkpointDir, c), every: 2, dataSource: '/somewhere/data.csv' } });
        const saved = await readCheckpoint(checkpointDir);
        expect(saved.snapshot.epoch).toBe(4);
        expect(saved.data).toMatchObject({ source: '/somewhere/data.csv', rows: dataset.n, fingerprint: whole.manifest.training.fingerprint });
        const resumed = await Detector.train(c, dataset, saved.spec, { checkpoint: { dir: checkpointDir, save: (c: TrainingCheckpoint) => saveCheckpoint(checkpointDir, c), every: 2, resume: saved } });
        expect(Array.from(resumed.flatWeights())).toEqual(Array.from(whole.flatWeights()));
        expect(resumed.manifest.training.epochs).toBe(5);
        expect(resumed.manifest.training.resumedAtEpoch).toBe(4);
        expect(whole.manifest.training.resumedAtEpoch).toBeUndefined();
        whole.dispose();
        resumed.dispose();
      });
    });

    describe('when the data or the configuration differ from the checkpoint', () => {
      it('should refuse other data (input) and another option (usage, naming the key)', async () => {
        const c = await container();
        const checkpointDir = checkpointDirFor(path.join(dir, 'other'));
        (await Detector.train(c, dataset, spec, { checkpoint: { dir: checkpointDir, save: (c: TrainingCheckpoint) => saveCheckpoint(checkpointDir, c), every: 2 } })).dispose();
        const saved = await readCheckpoint(checkpointDir);
        const changed = { ...dataset, x: dataset.x.map((v, i) => (i === 0 ? v + 1 : v)), source: 'changed.csv' };
        const otherData = await Detector.train(c, changed, saved.spec, { checkpoint: { dir: checkpointDir, save: (c: TrainingCheckpoint) => saveCheckpoint(checkpointDir, c), every: 2, resume: saved } }).catch((e: unknown) => e);
        expect(ImdadError.is(otherData, 'input')).toBe(true);
        expect((otherData as Error).message).toMatch(/^changed\.csv is not the data the interrupted run trained on/);
        const otherSpec = { ...saved.spec, trainerOptions: { ...saved.spec.trainerOptions, learningRate: 0.5 } };
        const otherOptions = await Detector.train(c, dataset, otherSpec, { checkpoint: { dir: checkpointDir, save: (c: TrainingCheckpoint) => saveCheckpoint(checkpointDir, c), every: 2, resume: saved } }).catch((e: unknown) => e);
        expect(ImdadError.is(otherOptions, 'usage')).toBe(true);
        expect((otherOptions as Error).message).toContain('trainerOptions.learningRate');
        expect(existsSync(checkpointDir)).toBe(true);
      });
    });
  });
});
