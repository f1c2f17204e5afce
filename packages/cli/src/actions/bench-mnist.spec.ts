/**
 * `imdad bench --suite mnist`: helpers in-process, the command end to end on
 * the BUILT CLI (`npm run build` first), on tiny IDX digits made here.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImdadError } from '@imdad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../../test/helpers/run-cli.js';
import { AurocTable, parseIndices } from './bench-common.js';
import { imagesSource } from './bench-mnist.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-bench-mnist-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** An IDX file: magic (0, 0, 0x08, rank), big-endian dimensions, then the bytes. */
function idx(dims: number[], values: Uint8Array): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  return Uint8Array.from([...new Uint8Array(header.buffer), ...values]);
}

/** 3 classes x 40 images of 12x12: class k is a bright bar in row band k. */
function tinyDigits(dir: string): void {
  const n = 120;
  const images = new Uint8Array(n * 144);
  const labels = Uint8Array.from({ length: n }, (_, i) => i % 3);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < 144; p++) {
      const row = Math.floor(p / 12);
      images[i * 144 + p] = Math.floor(row / 4) === labels[i] ? 200 + ((i * 7 + p) % 50) : (i * 13 + p) % 30;
    }
  }
  writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), idx([n, 12, 12], images));
  writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), idx([n], labels));
}

describe('bench --suite mnist', () => {
  describe('parseIndices', () => {
    describe('when the list holds something other than non-negative integers', () => {
      it('should fail as a usage error naming the flag and the item', () => {
        expect(parseIndices('classes', '0, 3,9')).toEqual([0, 3, 9]);
        expect(() => parseIndices('classes', '1,x')).toThrow('--classes: "x" is not a non-negative integer');
        expect(() => parseIndices('seeds', ' , ')).toThrow('--seeds is empty');
      });
    });
  });

  describe('imagesSource', () => {
    describe('when --data is a folder', () => {
      it('should pick its IDX images file, the t10k one beside a training set, else the folder itself', () => {
        const dir = tempDir();
        expect(imagesSource(dir)).toBe(dir);
        writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), '');
        expect(imagesSource(dir)).toBe(path.join(dir, 'train-images-idx3-ubyte.gz'));
        writeFileSync(path.join(dir, 't10k-images-idx3-ubyte.gz'), '');
        expect(imagesSource(dir)).toBe(path.join(dir, 't10k-images-idx3-ubyte.gz'));
        const file = path.join(dir, 'train-images-idx3-ubyte.gz');
        expect(imagesSource(file)).toBe(file);
        const error = (() => {
          try {
            imagesSource(path.join(dir, 'absent'));
          } catch (e) {
            return e;
          }
        })();
        expect(ImdadError.is(error, 'input')).toBe(true);
      });
    });
  });

  describe('AurocTable', () => {
    describe('when several seeds ran per dataset', () => {
      it('should average over seeds first, then over datasets, per head', () => {
        const table = new AurocTable();
        table.add('logistic', 'mnist-0', 0.9);
        table.add('logistic', 'mnist-0', 0.7);
        table.add('logistic', 'mnist-1', 1);
        table.add('sslm', 'mnist-0', 0.5);
        expect(table.summaries(2)).toEqual([
          { summary: true, head: 'logistic', meanAuroc: 0.9, datasets: 2, seeds: 2 },
          { summary: true, head: 'sslm', meanAuroc: 0.5, datasets: 1, seeds: 2 },
        ]);
      });
    });
  });

  describe('the command', () => {
    describe('when run on tiny digits with --json and --out', () => {
      it('should print one line per class and head with the tabular fields plus epochSeconds, then a summary per head', async () => {
        const dir = tempDir();
        const data = path.join(dir, 'digits');
        mkdirSync(data);
        tinyDigits(data);
        const out = path.join(dir, 'results.jsonl');
        const result = await runCli(
          ['bench', '--suite', 'mnist', '--data', data, '--classes', '0,2', '--seeds', '1', '--epochs', '2', '--heads', 'logistic,deep-sad', '--json', '--out', out, '--backend', 'wasm'],
          { cwd: dir, timeoutMs: 120_000 },
        );
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.trim().split('\n').map((l) => JSON.parse(l));
        expect(lines).toHaveLength(6);
        expect(lines.slice(0, 4).map((l) => `${l.dataset} ${l.head}`)).toEqual(['mnist-0 logistic', 'mnist-0 deep-sad', 'mnist-2 logistic', 'mnist-2 deep-sad']);
        for (const line of lines.slice(0, 4)) {
          expect(Object.keys(line)).toEqual(expect.arrayContaining(['dataset', 'head', 'seed', 'nla', 'auroc', 'auprc', 'f1', 'trainSeconds', 'samplesPerSecond', 'epochSeconds']));
          expect(line).toMatchObject({ seed: 1, backbone: 'cnn', backend: 'wasm', epochs: 2 });
          expect(line.auroc).toBeGreaterThanOrEqual(0);
          expect(line.epochSeconds).toBeGreaterThan(0);
        }
        // 28 training images of the normal class: floor(28 * 0.05 / 0.95) = 1 labeled anomaly.
        expect(lines[0].nla).toBe(1);
        expect(lines[0].anomalyClass).toBe(1);
        expect(lines[2].anomalyClass).toBe(0);
        expect(lines.slice(4)).toEqual([
          expect.objectContaining({ summary: true, head: 'logistic', datasets: 2, seeds: 1 }),
          expect.objectContaining({ summary: true, head: 'deep-sad', datasets: 2, seeds: 1 }),
        ]);
        expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(6);
      });
    });

    describe('when --data is missing or a class is not in the data', () => {
      it('should exit 2 with one line naming what is wrong', async () => {
        const dir = tempDir();
        tinyDigits(dir);
        const noData = await runCli(['bench', '--suite', 'mnist', '--backend', 'wasm'], { cwd: dir });
        expect(noData.code).toBe(2);
        expect(noData.stderr.trim()).toBe('imdad: --suite mnist needs --data DIR, the folder with t10k-images-idx3-ubyte.gz and its labels file');
        const badClass = await runCli(['bench', '--suite', 'mnist', '--data', dir, '--classes', '7', '--backend', 'wasm'], { cwd: dir });
        expect(badClass.code).toBe(2);
        expect(badClass.stderr.trim()).toMatch(/^imdad: --classes: 7 not in .*t10k-images-idx3-ubyte \(classes: 0, 1, 2\)$/);
      });
    });
  });
});
