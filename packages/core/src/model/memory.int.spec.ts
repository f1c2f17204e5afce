import v8 from 'node:v8';
import vm from 'node:vm';
import { ContainerModule } from 'inversify';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '../backend/backends.js';
import { createContainer } from '../container.js';
import { Encoder } from '../contracts/encoder.js';
import type { TrainingProgress } from '../contracts/trainer.js';
import { syntheticDataset, TinyEncoder } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { Detector } from './detector.js';

/** A full garbage collection: the process's own `gc` (node --expose-gc), or one enabled at run time. */
function collector(): () => void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) return exposed;
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

const collect = collector();

/** Heap in use after a full collection: what the run keeps, not the garbage it has not collected yet. */
function heapUsed(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** Heap growth tolerated between the start and the end of a long run (the history, timers, JIT code). */
const HEAP_SLACK_BYTES = 2 << 20;

describe('memory over a long run (wasm backend)', () => {
  beforeAll(async () => {
    await useBackend('wasm');
  });

  async function container() {
    const { container } = await createContainer();
    container.load(new ContainerModule(({ bind }) => { bind(Encoder).toConstantValue(new TinyEncoder()); }));
    return container;
  }

  describe('Detector.train for many epochs, then Detector.score over many chunks', () => {
    it('should hold the tensor count flat and the heap bounded', async () => {
      const data = syntheticDataset({ normals: 600, anomalies: 40, labeled: 12, width: 8, seed: 9 });
      const tensorsBefore = tf.memory().numTensors;
      const tensors: number[] = [];
      const heap: number[] = [];
      const detector = await Detector.train(
        await container(),
        data,
        { backbone: 'tiny', head: 'logistic', trainerOptions: { epochs: 60, batchSize: 64, validationSplit: 0.2, patience: 1000 }, seed: 2 },
        {
          onProgress: (p: TrainingProgress) => {
            tensors.push(tf.memory().numTensors);
            if (p.epoch % 5 === 0) heap.push(heapUsed());
          },
        },
      );
      expect(tensors).toHaveLength(60);
      // From the second epoch on (Adam's moments exist by then) the count never moves.
      expect(new Set(tensors.slice(1)).size).toBe(1);
      expect(median(heap.slice(-3)) - median(heap.slice(0, 3))).toBeLessThan(HEAP_SLACK_BYTES);

      const chunkRows = 500;
      const chunk = new Float32Array(chunkRows * 8);
      const afterTraining = tf.memory().numTensors;
      const scoringHeap: number[] = [];
      for (let c = 0; c < 400; c++) {
        for (let k = 0; k < chunk.length; k++) chunk[k] = data.x[(c * 37 + k) % data.x.length];
        const { score } = detector.score(chunk, chunkRows);
        expect(score).toHaveLength(chunkRows);
        expect(tf.memory().numTensors).toBe(afterTraining);
        if (c % 20 === 0) scoringHeap.push(heapUsed());
      }
      expect(median(scoringHeap.slice(-5)) - median(scoringHeap.slice(0, 5))).toBeLessThan(HEAP_SLACK_BYTES);

      detector.dispose();
      expect(tf.memory().numTensors).toBe(tensorsBefore);
    }, 20_000);
  });
});
