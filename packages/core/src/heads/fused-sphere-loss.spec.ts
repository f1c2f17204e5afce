import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SeededRandom } from '../random.js';
import { maxAbsDiff } from '../testing/fixtures.js';
import { tf } from '../tf.js';
import { sphereLossFused } from './fused-sphere-loss.js';
import { LogisticHead, MaxMarginHeadModel, SslmHead, SvmHead, type MaxMarginHeadOptions } from './max-margin-heads.js';

const TOLERANCE = 1e-5;

function values(random: SeededRandom, length: number, scale: number): Float32Array {
  return Float32Array.from({ length }, () => (random.next() * 2 - 1) * scale);
}

/** Loss and gradients (phi, w, b) through the fused kernel or the tfjs ops. */
function lossAndGradients(head: MaxMarginHeadModel, phi: tf.Tensor2D, target: tf.Tensor1D, fused: boolean): Float32Array[] {
  return tf.tidy(() => {
    const f = (p: tf.Tensor2D) => (fused ? head.loss(p, target, 50) : head.lossWithOps(p, target, 50));
    const { value, grads } = tf.variableGrads(() => f(phi), [head.w, head.b]);
    const dPhi = tf.grad((p: tf.Tensor) => f(p as tf.Tensor2D))(phi);
    return [value, dPhi, grads[head.w.name], grads[head.b.name]].map((t) => Float32Array.from(t.dataSync()));
  });
}

let initialBackend: string | undefined;

beforeAll(async () => {
  await tf.ready();
  initialBackend = tf.getBackend();
  expect(await tf.setBackend('cpu')).toBe(true);
});

afterAll(async () => {
  if (initialBackend) await tf.setBackend(initialBackend);
});

describe('fusedSphereLoss', () => {
  const heads = [
    { label: 'logistic', plugin: new LogisticHead(), options: {} },
    { label: 'sslm, hard hinge', plugin: new SslmHead(), options: {} },
    { label: 'sslm, smooth hinge', plugin: new SslmHead(), options: { hinge: 'smooth' } },
    { label: 'svm, weights and regularisation', plugin: new SvmHead(), options: { normalWeight: 0.5, anomalyWeight: 2, regularization: 3 } },
  ];
  const batches = [
    { label: 'a mixed batch, radius^2 > 0', anomalies: 6, b: -4 },
    { label: 'a batch without anomalies, radius^2 < 0', anomalies: 0, b: 30 },
    { label: 'a batch of anomalies only', anomalies: 12, b: -1 },
  ];

  it('should be the loss the cpu backend runs (the kernel is registered there)', () => {
    new LogisticHead().create(3, new LogisticHead().optionsSchema.parse({})).dispose();
    expect(sphereLossFused()).toBe(true);
  });

  for (const { label, plugin, options } of heads) {
    for (const batch of batches) {
      it(`should give the loss and gradients of the tfjs ops for ${label} on ${batch.label}`, () => {
        const random = new SeededRandom(label.length + batch.anomalies);
        const d = 5;
        const rows = 12;
        const head = plugin.create(d, plugin.optionsSchema.parse(options) as MaxMarginHeadOptions);
        head.setWeights({ w: values(random, d, 2), b: batch.b });
        const phi = tf.tensor2d(values(random, rows * d, 1.5), [rows, d]);
        const target = tf.tensor1d(Array.from({ length: rows }, (_, i) => (i < batch.anomalies ? 1 : -1)));
        const fused = lossAndGradients(head, phi, target, true);
        const ops = lossAndGradients(head, phi, target, false);
        fused.forEach((values, i) => expect(maxAbsDiff(values, ops[i])).toBeLessThan(TOLERANCE * Math.max(1, ...Array.from(ops[i], Math.abs))));
        tf.dispose([phi, target]);
        head.dispose();
      });
    }
  }
});
