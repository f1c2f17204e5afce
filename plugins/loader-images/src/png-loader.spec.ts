import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImdadError } from '@imdad/core';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { PngLoader, pngLayout } from './png-loader.js';


const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-png-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

/** Writes a PNG whose pixel (r, c) has the RGB colour `pixel(r, c)`. */
function writePng(file: string, width: number, height: number, pixel: (r: number, c: number) => [number, number, number]): void {
  const png = new PNG({ width, height });
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      png.data.set([...pixel(r, c), 255], 4 * (r * width + c));
    }
  }
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, PNG.sync.write(png));
}

const gray = (value: number) => (): [number, number, number] => [value, value, value];

async function inputError(run: () => Promise<unknown>): Promise<string> {
  const error = await run().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(ImdadError.is(error, 'input'), String(error)).toBe(true);
  expect((error as Error).message).not.toContain('\n');
  return (error as Error).message;
}

describe('PngLoader', () => {
  const loader = new PngLoader();

  describe('.load', () => {
    describe('when the folder holds one sub-folder per class', () => {
      it('should give class ids in the natural order of the folder names, images in name order', async () => {
        const dir = tempDir();
        for (const [label, value] of [['2', 20], ['10', 100], ['1', 10]] as const) {
          writePng(path.join(dir, label, 'b.png'), 3, 2, gray(value + 1));
          writePng(path.join(dir, label, 'a.png'), 3, 2, gray(value));
        }
        writeFileSync(path.join(dir, '2', 'notes.txt'), 'not an image');
        const data = await loader.load(dir);
        expect(data.n).toBe(6);
        expect(data.sampleShape).toEqual([2, 3, 1]);
        expect(Array.from(data.classes!)).toEqual([0, 0, 1, 1, 2, 2]);
        expect(data.y).toBeUndefined();
        const firstPixels = Array.from({ length: 6 }, (_, i) => Math.round(data.x[i * 6] * 255));
        expect(firstPixels).toEqual([10, 11, 20, 21, 100, 101]);
        const layout = pngLayout(dir);
        expect(layout.kind === 'classes' && layout.classNames).toEqual(['1', '2', '10']);
      });
    });

    describe('when the folder holds normal/ and anomaly/', () => {
      it('should label the anomaly images y = 1 and the normal ones y = 0', async () => {
        const dir = tempDir();
        writePng(path.join(dir, 'normal', 'n1.png'), 4, 4, gray(0));
        writePng(path.join(dir, 'normal', 'n2.png'), 4, 4, gray(0));
        writePng(path.join(dir, 'anomaly', 'x.png'), 4, 4, gray(255));
        const data = await loader.load(dir);
        expect(Array.from(data.y!)).toEqual([1, 0, 0]);
        expect(data.classes).toBeUndefined();
        expect(data.x[0]).toBe(1);
      });
    });

    describe('when the images lie in the folder itself', () => {
      it('should read them without labels', async () => {
        const dir = tempDir();
        writePng(path.join(dir, 'one.png'), 2, 2, gray(51));
        const data = await loader.load(dir);
        expect(data).toMatchObject({ n: 1, sampleShape: [2, 2, 1], source: dir });
        expect(data.y).toBeUndefined();
        expect(data.classes).toBeUndefined();
      });
    });

    describe('when channels and an image size are asked for', () => {
      it('should convert colour to grayscale or RGB and resize every image bilinearly', async () => {
        const dir = tempDir();
        writePng(path.join(dir, 'a', 'red.png'), 2, 2, () => [255, 0, 0]);
        writePng(path.join(dir, 'b', 'big.png'), 8, 8, (r, c) => [c * 32, c * 32, c * 32]);
        const grayData = await loader.load(dir);
        expect(grayData.sampleShape).toEqual([2, 2, 1]);
        expect(grayData.x[0]).toBeCloseTo(0.299, 5);
        // 8 -> 2 samples source columns 1.5 and 5.5: (32 + 64) / 2 and (160 + 192) / 2.
        expect(grayData.x[4]).toBeCloseTo(48 / 255, 5);
        expect(grayData.x[5]).toBeCloseTo(176 / 255, 5);
        const rgb = await loader.load(dir, { channels: 3, imageSize: [4, 3] });
        expect(rgb.sampleShape).toEqual([4, 3, 3]);
        expect(Array.from(rgb.x.subarray(0, 3))).toEqual([1, 0, 0]);
        expect(rgb.x).toHaveLength(2 * 4 * 3 * 3);
      });
    });

    describe('when the folder layout is wrong or an image is unreadable', () => {
      it('should fail with a one-line input error that names the folder or the file', async () => {
        const empty = tempDir();
        mkdirSync(path.join(empty, 'nothing'));
        await expect(inputError(() => loader.load(empty))).resolves.toMatch(/no \.png images in the folder or its sub-folders/);

        const mixed = tempDir();
        writePng(path.join(mixed, 'loose.png'), 2, 2, gray(0));
        writePng(path.join(mixed, 'cats', 'c.png'), 2, 2, gray(0));
        await expect(inputError(() => loader.load(mixed))).resolves.toMatch(/holds PNG images both directly and in sub-folders \(cats\)/);

        const corrupt = tempDir();
        writePng(path.join(corrupt, 'normal', 'fine.png'), 2, 2, gray(0));
        const bad = path.join(corrupt, 'normal', 'junk.png');
        writeFileSync(bad, 'this is not a PNG');
        const message = await inputError(() => loader.load(corrupt));
        expect(message).toContain(bad);
        expect(message).toMatch(/not a readable PNG image/);

        const truncated = tempDir();
        const file = path.join(truncated, 'cut.png');
        writePng(file, 8, 8, gray(9));
        writeFileSync(file, readFileSync(file).subarray(0, 40));
        await expect(inputError(() => loader.load(truncated))).resolves.toMatch(/cut\.png: not a readable PNG image/);
      });
    });
  });

  describe('.stream', () => {
    describe('when streaming a class folder in chunks', () => {
      it('should give the rows of load, chunk by chunk, with their labels', async () => {
        const dir = tempDir();
        for (let i = 0; i < 5; i++) writePng(path.join(dir, i < 3 ? 'normal' : 'anomaly', `${i}.png`), 3, 3, gray(i * 40));
        const whole = await loader.load(dir);
        const chunks = [];
        for await (const chunk of loader.stream(dir, 2)) chunks.push(chunk);
        expect(chunks.map((c) => c.n)).toEqual([2, 2, 1]);
        expect(chunks.flatMap((c) => Array.from(c.y!))).toEqual(Array.from(whole.y!));
        expect(chunks.flatMap((c) => Array.from(c.x))).toEqual(Array.from(whole.x));
      });
    });
  });

  describe('.canLoad', () => {
    describe('when given a folder', () => {
      it('should take folders with PNG images in them or in sub-folders, and no files', () => {
        const dir = tempDir();
        expect(loader.canLoad(dir, true)).toBe(false);
        mkdirSync(path.join(dir, 'normal'));
        writeFileSync(path.join(dir, 'normal', 'a.png'), '');
        expect(loader.canLoad(dir, true)).toBe(true);
        expect(loader.canLoad(path.join(dir, 'normal', 'a.png'), false)).toBe(false);
        expect(loader.canLoad(path.join(dir, 'absent'), true)).toBe(false);
      });
    });
  });
});
