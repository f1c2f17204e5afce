import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from './helpers/run-cli.js';

const WASM = { IMDAD_BACKEND: 'wasm' };
const MNIST = path.resolve(REPO_ROOT, '../shared/data/mnist');

/** A size x size grayscale PNG: a bright square (normal) or a bright cross (anomaly) on black. */
function writeDigit(file: string, size: number, kind: 'square' | 'cross', shift: number): void {
  const png = new PNG({ width: size, height: size });
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const inSquare = r > size / 4 + shift && r < (3 * size) / 4 && c > size / 4 && c < (3 * size) / 4 + shift;
      const inCross = Math.abs(r - size / 2) < 2 || Math.abs(c - size / 2) < 2;
      const v = (kind === 'square' ? inSquare : inCross) ? 255 : 0;
      const i = (r * size + c) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  writeFileSync(file, PNG.sync.write(png));
}

describe('image data through the CLI', () => {
  let cwd: string;
  beforeAll(() => {
    cwd = mkdtempSync(path.join(os.tmpdir(), 'imdad-images-'));
    for (const [folder, kind, count] of [['normal', 'square', 24], ['anomaly', 'cross', 4]] as const) {
      mkdirSync(path.join(cwd, 'train', folder), { recursive: true });
      mkdirSync(path.join(cwd, 'big', folder), { recursive: true });
      for (let i = 0; i < count; i++) {
        writeDigit(path.join(cwd, 'train', folder, `${i}.png`), 12, kind, i % 3);
        writeDigit(path.join(cwd, 'big', folder, `${i}.png`), 20, kind, i % 3);
      }
    }
  });
  afterAll(() => rmSync(cwd, { recursive: true, force: true }));

  describe('when a CNN is trained on a PNG folder and scores a folder of larger images', () => {
    it('should resize them to the model\'s input size and score every image', async () => {
      const trained = await runCli(['train', '--data', 'train', '--backbone', 'cnn', '--epochs', '2', '--out', 'model', '--quiet'], { cwd, env: WASM });
      expect(trained.code, trained.stderr).toBe(0);
      const scored = await runCli(['score', '--model', 'model', '--data', 'big', '--json'], { cwd, env: WASM });
      expect(scored.code, scored.stderr).toBe(0);
      const lines = scored.stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number });
      expect(lines).toHaveLength(28);
      expect(lines.every((l) => Number.isFinite(l.score))).toBe(true);
      const evaluated = await runCli(['evaluate', '--model', 'model', '--data', 'big', '--json'], { cwd, env: WASM });
      expect(evaluated.code, evaluated.stderr).toBe(0);
      expect(JSON.parse(evaluated.stdout)).toMatchObject({ n: 28, anomalies: 4 });
    });
  });

  describe('when an IDX images file is given its labels file with --labels', () => {
    it('should read the labels from that file, and fail naming it when it does not fit', async () => {
      // Named so that no labels file sits beside it: only --labels can supply one.
      const images = path.join(cwd, 'digits-idx3-ubyte.gz');
      copyFileSync(path.join(MNIST, 't10k-images-idx3-ubyte.gz'), images);
      const mismatched = await runCli(['score', '--model', 'model', '--data', images, '--labels', path.join(MNIST, 't10k-labels-idx1-ubyte.gz'), '--chunk-rows', '5000', '--quiet'], { cwd, env: WASM });
      // The model takes 12x12 images and MNIST digits are 28x28: the mismatch is named, after the labels were found.
      expect(mismatched.code).toBe(2);
      expect(mismatched.stderr.trim().split('\n')).toHaveLength(1);
      expect(mismatched.stderr).toMatch(/784|28/);
      const missing = await runCli(['score', '--model', 'model', '--data', images, '--labels', 'nope.gz'], { cwd, env: WASM });
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('nope.gz');
    });
  });
});
