import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { ImdadError, type Dataset } from '@imdad/core';
import { afterAll, describe, expect, it } from 'vitest';
import { IdxLoader, siblingLabelsFile } from './idx-loader.js';

const MNIST = path.resolve(import.meta.dirname, '../../../../shared/data/mnist');
const IMAGES = path.join(MNIST, 't10k-images-idx3-ubyte.gz');
const LABELS = path.join(MNIST, 't10k-labels-idx1-ubyte.gz');
/** Digits 0..9 among the 10,000 MNIST test images. */
const HISTOGRAM = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009];

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-idx-'));
  dirs.push(dir);
  return dir;
}

/** An IDX file: magic (0, 0, type, rank), big-endian dimensions, then `values`. */
function idx(dims: number[], values: ArrayLike<number>, type = 0x08): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, type);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(header.byteLength + values.length);
  out.set(new Uint8Array(header.buffer));
  out.set(Uint8Array.from(values), header.byteLength);
  return out;
}

function histogram(classes: Int32Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const c of classes) counts[c]++;
  return counts;
}

/** Exact equality of two large typed arrays (vitest's deep equality is too slow for millions of values). */
function sameValues(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

async function collect(stream: AsyncIterable<Dataset>): Promise<Dataset[]> {
  const chunks: Dataset[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

async function inputError(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ImdadError.is(error, 'input'), String(error)).toBe(true);
  const { message } = error as Error;
  expect(message).not.toContain('\n');
  return message;
}

afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('IdxLoader', () => {
  const loader = new IdxLoader();

  describe('.canLoad', () => {
    describe('when given file names', () => {
      it('should take IDX images files, gzipped or not, and nothing else', () => {
        expect(loader.canLoad('/d/t10k-images-idx3-ubyte.gz', false)).toBe(true);
        expect(loader.canLoad('/d/train-images-idx3-ubyte', false)).toBe(true);
        expect(loader.canLoad('/d/train-images.idx3-ubyte', false)).toBe(true);
        expect(loader.canLoad('/d/t10k-labels-idx1-ubyte.gz', false)).toBe(false);
        expect(loader.canLoad('/d/data.csv', false)).toBe(false);
        expect(loader.canLoad('/d/images-idx3-ubyte', true)).toBe(false);
      });
    });
  });

  describe('.load', () => {
    describe('when reading the MNIST test digits', () => {
      it('should give 10,000 images of 28x28x1 in [0, 1] with the class ids of the sibling labels file', async () => {
        const data = await loader.load(IMAGES);
        expect(data.n).toBe(10_000);
        expect(data.sampleShape).toEqual([28, 28, 1]);
        expect(data.x).toHaveLength(10_000 * 784);
        let min = Infinity;
        let max = -Infinity;
        for (const v of data.x) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
        expect([min, max]).toEqual([0, 1]);
        expect(histogram(data.classes!)).toEqual(HISTOGRAM);
        expect(data.y).toBeUndefined();
        expect(data.source).toBe(IMAGES);
      });
    });

    describe('when the files are not gzipped, and the labels are named by labelsPath', () => {
      it('should read the same images and labels', async () => {
        const dir = tempDir();
        const images = path.join(dir, 'digits-images-idx3-ubyte');
        const labels = path.join(dir, 'my-labels.idx');
        writeFileSync(images, gunzipSync(readFileSync(IMAGES)));
        writeFileSync(labels, gunzipSync(readFileSync(LABELS)));
        const data = await loader.load(images, { labelsPath: labels });
        const reference = await loader.load(IMAGES);
        expect(sameValues(data.x, reference.x)).toBe(true);
        expect(sameValues(data.classes!, reference.classes!)).toBe(true);
      });
    });

    describe('when no labels file lies beside the images', () => {
      it('should read the images without class ids', async () => {
        const dir = tempDir();
        const images = path.join(dir, 't10k-images-idx3-ubyte.gz');
        copyFileSync(IMAGES, images);
        expect(siblingLabelsFile(images)).toBeUndefined();
        const data = await loader.load(images);
        expect(data.n).toBe(10_000);
        expect(data.classes).toBeUndefined();
      });
    });

    describe('when every label is 0 or 1', () => {
      it('should also give them as anomaly labels y', async () => {
        const dir = tempDir();
        writeFileSync(path.join(dir, 'x-images-idx3-ubyte'), idx([3, 2, 2], [0, 255, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9]));
        writeFileSync(path.join(dir, 'x-labels-idx1-ubyte'), idx([3], [0, 1, 0]));
        const data = await loader.load(path.join(dir, 'x-images-idx3-ubyte'));
        expect(Array.from(data.y!)).toEqual([0, 1, 0]);
        expect(Array.from(data.classes!)).toEqual([0, 1, 0]);
        expect(Array.from(data.x.subarray(0, 4))).toEqual([0, 1, 0, 0]);
      });
    });

    describe('when a file is corrupt or truncated', () => {
      it('should fail with a one-line input error that names the file and the fault', async () => {
        const dir = tempDir();
        const good = idx([2, 3, 3], new Array(18).fill(7));
        const cases: [string, Uint8Array, RegExp][] = [
          ['magic-images-idx3-ubyte', Uint8Array.from([1, 2, 8, 3, ...good.subarray(4)]), /bad magic number 0x01020803; an IDX images file starts with 0x00000803/],
          ['rank-images-idx3-ubyte', idx([2, 9], new Array(18).fill(0)), /has 2 dimensions; an IDX images file has 3 \(count, rows, columns\)/],
          ['type-images-idx3-ubyte', idx([2, 3, 3], new Array(18).fill(0), 0x0d), /values of type 0x0d; only unsigned bytes/],
          ['dims-images-idx3-ubyte', idx([2, 0, 3], []), /wrong dimensions 2 x 0 x 3/],
          ['short-images-idx3-ubyte', good.subarray(0, good.length - 5), /is truncated: 13 bytes of data, its header announces 2 x 3 x 3 = 18/],
          ['header-images-idx3-ubyte', good.subarray(0, 10), /is truncated: its header needs 16 bytes, the file has 10/],
          ['tiny-images-idx3-ubyte', good.subarray(0, 2), /too short for an IDX header/],
          ['long-images-idx3-ubyte', Uint8Array.from([...good, 1, 2]), /has 2 bytes beyond/],
          ['gzip-images-idx3-ubyte.gz', gzipSync(good).subarray(0, 20), /damaged gzip data/],
          ['plain-images-idx3-ubyte.gz', good, /is named \.gz but does not hold gzip data/],
        ];
        for (const [name, bytes, fault] of cases) {
          const file = path.join(dir, name);
          writeFileSync(file, bytes);
          const message = await inputError(() => loader.load(file));
          expect(message).toContain(file);
          expect(message).toMatch(fault);
        }
        await expect(inputError(() => loader.load(path.join(dir, 'absent-images-idx3-ubyte')))).resolves.toMatch(/cannot read .*absent-images-idx3-ubyte: no such file/);
      });
    });

    describe('when the labels file does not fit the images', () => {
      it('should fail naming the labels file and both counts', async () => {
        const dir = tempDir();
        const images = path.join(dir, 'a-images-idx3-ubyte');
        writeFileSync(images, idx([2, 2, 2], new Array(8).fill(1)));
        writeFileSync(path.join(dir, 'a-labels-idx1-ubyte'), idx([3], [1, 2, 3]));
        await expect(inputError(() => loader.load(images))).resolves.toMatch(/a-labels-idx1-ubyte: holds 3 labels for the 2 images/);
        writeFileSync(path.join(dir, 'a-labels-idx1-ubyte'), idx([2, 1, 1], [1, 2]));
        await expect(inputError(() => loader.load(images))).resolves.toMatch(/has 3 dimensions; an IDX labels file has 1 \(count\)/);
      });
    });
  });

  describe('.stream', () => {
    describe('when streaming the gzipped MNIST digits in chunks', () => {
      it('should give the rows of load in chunks of at most chunkRows, with their class ids', async () => {
        const whole = await loader.load(IMAGES);
        const chunks = await collect(loader.stream(IMAGES, 4096));
        expect(chunks.map((c) => c.n)).toEqual([4096, 4096, 1808]);
        const x = new Float32Array(whole.x.length);
        const classes = new Int32Array(whole.n);
        let row = 0;
        for (const chunk of chunks) {
          expect(chunk.sampleShape).toEqual([28, 28, 1]);
          x.set(chunk.x, row * 784);
          classes.set(chunk.classes!, row);
          row += chunk.n;
        }
        expect(sameValues(x, whole.x)).toBe(true);
        expect(sameValues(classes, whole.classes!)).toBe(true);
      });
    });

    describe('when streaming an uncompressed file with an exact multiple of chunkRows', () => {
      it('should give full chunks only', async () => {
        const dir = tempDir();
        const file = path.join(dir, 's-images-idx3-ubyte');
        writeFileSync(file, idx([4, 2, 2], Array.from({ length: 16 }, (_, i) => i * 10)));
        const chunks = await collect(loader.stream(file, 2));
        expect(chunks.map((c) => c.n)).toEqual([2, 2]);
        expect(chunks[1].x[0]).toBeCloseTo(80 / 255, 6);
        expect(chunks[0].classes).toBeUndefined();
      });
    });

    describe('when the file is truncated or its gzip data damaged', () => {
      it('should fail with a one-line input error naming the file', async () => {
        const dir = tempDir();
        const truncated = path.join(dir, 't-images-idx3-ubyte.gz');
        writeFileSync(truncated, gzipSync(idx([3, 2, 2], new Array(12).fill(1))).subarray(0, 25));
        await expect(inputError(() => collect(loader.stream(truncated, 1)))).resolves.toMatch(/t-images-idx3-ubyte\.gz: damaged gzip data/);
        const short = path.join(dir, 'u-images-idx3-ubyte');
        writeFileSync(short, idx([3, 2, 2], new Array(12).fill(1)).subarray(0, 22));
        await expect(inputError(() => collect(loader.stream(short, 2)))).resolves.toMatch(/u-images-idx3-ubyte: is truncated: 6 bytes of data/);
        const bad = path.join(dir, 'v-images-idx3-ubyte');
        writeFileSync(bad, Uint8Array.from([9, 9, 9, 9, 0, 0, 0, 1]));
        await expect(inputError(() => collect(loader.stream(bad, 2)))).resolves.toMatch(/bad magic number 0x09090909/);
      });
    });

    describe('when chunkRows is not a positive whole number', () => {
      it('should refuse it as a usage error', async () => {
        await expect(collect(loader.stream(IMAGES, 0))).rejects.toThrow(/chunk size must be a positive whole number/);
      });
    });
  });
});
