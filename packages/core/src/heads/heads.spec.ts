import { describe, expect, it } from 'vitest';
import type { Head } from '../contracts/head.js';
import { SeededRandom } from '../random.js';
import { tf } from '../tf.js';
import { DeepSadHead, DeepSvddHead } from './baseline-heads.js';
import { quantile } from './hypersphere-head.js';
import { LogisticHead, SslmHead, SvmHead } from './max-margin-heads.js';

const HEADS: Head<object>[] = [new SslmHead(), new SvmHead(), new LogisticHead(), new DeepSadHead(), new DeepSvddHead()];

function randomArray(random: SeededRandom, length: number, scale = 1): Float32Array {
  return Float32Array.from({ length }, () => (random.next() * 2 - 1) * scale);
}

describe('HypersphereHeadModel', () => {
  describe('.score', () => {
    for (const plugin of HEADS) {
      describe(`when the head is ${plugin.name} with random weights`, () => {
        it('should equal ||phi - c||^2 - R^2 with c and R read from (w, b)', () => {
          const random = new SeededRandom(plugin.name.length);
          const d = 7;
          const head = plugin.create(d, plugin.optionsSchema.parse({}));
          for (let trial = 0; trial < 5; trial++) {
            head.setWeights({ w: randomArray(random, d, 3), b: (random.next() * 2 - 1) * 5 });
            const phi = randomArray(random, 20 * d, 2);
            const scores = tf.tidy(() => head.score(tf.tensor2d(phi, [20, d])).dataSync());
            const { center, radiusSquared } = head.sphere();
            for (let i = 0; i < 20; i++) {
              let d2 = 0;
              for (let k = 0; k < d; k++) d2 += (phi[i * d + k] - center[k]) ** 2;
              expect(scores[i]).toBeCloseTo(d2 - radiusSquared, 3);
            }
          }
          head.dispose();
        });
      });
    }
  });

  describe('.sphere', () => {
    describe('when b exceeds ||w||^2 / 4', () => {
      it('should report the empty sphere as R^2 <= 0 instead of hiding it', () => {
        const head = new SslmHead().create(2, new SslmHead().optionsSchema.parse({}));
        head.setWeights({ w: Float32Array.of(2, 0), b: 3 });
        expect(head.sphere().radiusSquared).toBeCloseTo(1 - 3);
        expect(Array.from(head.sphere().center)).toEqual([-1, -0]);
        head.dispose();
      });
    });
  });

  describe('.warmStart', () => {
    describe('when given unlabeled embeddings', () => {
      it('should put the center at their mean and the radius at the configured quantile', () => {
        const plugin = new SslmHead();
        const head = plugin.create(3, plugin.optionsSchema.parse({ warmStartQuantile: 0.5 }));
        const random = new SeededRandom(3);
        const phi = randomArray(random, 300);
        const mean = [0, 1, 2].map((k) => Array.from({ length: 100 }, (_, i) => phi[i * 3 + k]).reduce((a, b) => a + b) / 100);
        tf.tidy(() => head.warmStart(tf.tensor2d(phi, [100, 3])));
        const { center, radiusSquared } = head.sphere();
        mean.forEach((m, k) => expect(center[k]).toBeCloseTo(m, 4));
        const d2 = Float32Array.from({ length: 100 }, (_, i) => mean.reduce((s, m, k) => s + (phi[i * 3 + k] - m) ** 2, 0));
        expect(radiusSquared).toBeCloseTo(quantile(d2, 0.5), 4);
        head.dispose();
      });
    });
  });

  describe('.loss', () => {
    describe('when every row satisfies its margin', () => {
      it('should leave only the volume term for sslm (hinges are zero)', () => {
        const plugin = new SslmHead();
        const head = plugin.create(1, plugin.optionsSchema.parse({ regularization: 2 }));
        head.setWeights({ w: Float32Array.of(0), b: -4 }); // c = 0, R^2 = 4
        const loss = tf.tidy(() =>
          head.loss(tf.tensor2d([0, 0.5, 3, -3], [4, 1]), tf.tensor1d([-1, -1, 1, 1]), 10).dataSync()[0],
        );
        // f = -4, -3.75 (inside by more than 1); 5, 5 (outside by more than 1): only 2 * R^2 / n remains.
        expect(loss).toBeCloseTo((2 * 4) / 10, 5);
        head.dispose();
      });
    });
  });
});
