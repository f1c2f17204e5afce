import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ContainerModule } from 'inversify';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../backend/backends.js';
import { createContainer } from '../container.js';
import { Encoder } from '../contracts/encoder.js';
import { ImdadError } from '../errors.js';
import { syntheticDataset, TinyEncoder } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { Detector } from './detector.js';
import { MANIFEST_FILE } from './manifest.js';
import { loadModel, saveModel } from './store.js';

async function containerWithTinyEncoder() {
  const { container } = await createContainer();
  container.load(new ContainerModule(({ bind }) => { bind(Encoder).toConstantValue(new TinyEncoder()); }));
  return container;
}

describe('model store', () => {
  const dirs: string[] = [];
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-store-'));
    dirs.push(dir);
    return dir;
  };
  beforeAll(async () => {
    await useBackend('cpu');
  });
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

  describe('saveModel then loadModel', () => {
    describe('when the model was trained with min-max scaling', () => {
      it('should reproduce the training-time scores exactly and keep center and radius', async () => {
        const container = await containerWithTinyEncoder();
        const data = syntheticDataset({ normals: 200, anomalies: 20, labeled: 5, width: 4, seed: 2 });
        const detector = await Detector.train(container, data, { backbone: 'tiny', head: 'sslm', trainerOptions: { epochs: 3 }, seed: 1 });
        const dir = path.join(tempDir(), 'model');
        await saveModel(detector, dir);
        const loaded = await loadModel(container, dir);
        expect(Array.from(loaded.score(data.x, data.n).score)).toEqual(Array.from(detector.score(data.x, data.n).score));
        expect(Array.from(loaded.sphere().center)).toEqual(Array.from(detector.sphere().center));
        expect(loaded.sphere().radiusSquared).toBe(detector.sphere().radiusSquared);
        expect(loaded.manifest.training.fingerprint).toMatch(/^[0-9a-f]{64}$/);
        expect(loaded.reference).toHaveLength(4);
        detector.dispose();
        loaded.dispose();
      });
    });

    describe('when saving over an earlier model', () => {
      it('should replace it and leave no temporary folders behind', async () => {
        const container = await containerWithTinyEncoder();
        const data = syntheticDataset({ normals: 100, anomalies: 10, labeled: 3, width: 4, seed: 3 });
        const parent = tempDir();
        const dir = path.join(parent, 'model');
        for (const seed of [1, 2]) {
          const detector = await Detector.train(container, data, { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 1 }, seed });
          await saveModel(detector, dir);
          detector.dispose();
        }
        expect(readdirSync(parent)).toEqual(['model']);
        expect(JSON.parse(readFileSync(path.join(dir, MANIFEST_FILE), 'utf8')).seed).toBe(2);
      });
    });
  });

  describe('saveModel', () => {
    describe('when the target is a folder that is not a model', () => {
      it('should refuse and leave the folder untouched', async () => {
        const container = await containerWithTinyEncoder();
        const data = syntheticDataset({ normals: 50, anomalies: 5, labeled: 2, width: 4, seed: 4 });
        const detector = await Detector.train(container, data, { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 1 } });
        const dir = tempDir();
        writeFileSync(path.join(dir, 'precious.txt'), 'keep me');
        await expect(saveModel(detector, dir)).rejects.toThrow(/not an imdad model directory/);
        expect(readdirSync(dir)).toEqual(['precious.txt']);
        detector.dispose();
      });
    });
  });

  describe('loadModel', () => {
    describe('when the directory is not a model, damaged or from another format version', () => {
      it('should fail with a model error that says so', async () => {
        const container = await containerWithTinyEncoder();
        const empty = tempDir();
        await expect(loadModel(container, empty)).rejects.toThrow(/not a model directory/);
        const data = syntheticDataset({ normals: 50, anomalies: 5, labeled: 2, width: 4, seed: 4 });
        const detector = await Detector.train(container, data, { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 1 } });
        const dir = path.join(tempDir(), 'model');
        await saveModel(detector, dir);
        detector.dispose();
        const manifestPath = path.join(dir, MANIFEST_FILE);
        const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
        writeFileSync(path.join(dir, 'weights.bin'), new Uint8Array(8));
        await expect(loadModel(container, dir)).rejects.toThrow(/damaged/);
        writeFileSync(manifestPath, JSON.stringify({ ...manifest, formatVersion: 99 }));
        const error = await loadModel(container, dir).catch((e: unknown) => e);
        expect(ImdadError.is(error, 'model')).toBe(true);
        expect(String(error)).toMatch(/format 99/);
        rmSync(path.join(dir, 'weights.bin'));
        writeFileSync(manifestPath, JSON.stringify(manifest));
        await expect(loadModel(container, dir)).rejects.toThrow(/incomplete/);
      });
    });
  });

  describe('Detector', () => {
    describe('when scoring rows of the wrong width', () => {
      it('should fail with an input error naming both widths', async () => {
        const container = await containerWithTinyEncoder();
        const data = syntheticDataset({ normals: 50, anomalies: 5, labeled: 2, width: 4, seed: 5 });
        const detector = await Detector.train(container, data, { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 1 } });
        expect(() => detector.score(new Float32Array(6), 2)).toThrow(/3 values, the model expects 4/);
        const before = tf.memory().numTensors;
        detector.score(data.x, data.n);
        expect(tf.memory().numTensors).toBe(before);
        detector.dispose();
      });
    });
  });
});
