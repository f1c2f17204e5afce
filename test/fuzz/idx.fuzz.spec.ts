/**
 * Fuzz tests of the IDX reader (`@imdad/loader-images`): random valid image
 * and label files, plain or gzipped, read back exactly; mutated ones fail with
 * a one-line input error or give consistent samples, in memory and through
 * the loader's `load` and `stream` on disk.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Dataset } from '@imdad/core';
import { IdxLoader, decompress, parseIdx, type IdxKind } from '@imdad/loader-images';
import { afterAll, describe, expect, it } from 'vitest';
import { between, elapsedMs, inconsistency, mutateBytes, parseOrRefuse, parseOrRefuseAsync, SeededRandom } from './mutate.js';

const FUZZ_TIMEOUT_MS = 10_000;
const HANG_MS = 1_000;

interface IdxCase {
  readonly bytes: Uint8Array;
  readonly dims: number[];
  readonly values: Uint8Array;
}

/** A random valid IDX file of unsigned bytes: images (count, rows, columns) or labels (count). */
function randomIdx(random: SeededRandom, kind: IdxKind, count = between(random, 1, 12)): IdxCase {
  const dims = kind === 'images' ? [count, between(random, 1, 9), between(random, 1, 9)] : [count];
  const values = Uint8Array.from({ length: dims.reduce((a, b) => a * b, 1) }, () => (kind === 'labels' ? random.int(3) : random.int(256)));
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, 0x08);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const bytes = new Uint8Array(header.byteLength + values.length);
  bytes.set(new Uint8Array(header.buffer));
  bytes.set(values, header.byteLength);
  return { bytes, dims, values };
}

const gzip = (bytes: Uint8Array): Uint8Array => new Uint8Array(gzipSync(bytes));

async function collect(chunks: AsyncIterable<Dataset>): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('IDX reader fuzzing', () => {
  describe('when given random valid IDX files, plain or gzipped', () => {
    it('should read the dimensions and every value exactly', () => {
      const random = new SeededRandom(808);
      for (let t = 0; t < 2000; t++) {
        const kind: IdxKind = t % 2 === 0 ? 'images' : 'labels';
        const file = randomIdx(random, kind);
        const gzipped = random.next() < 0.3;
        const name = gzipped ? 'fuzz-idx3-ubyte.gz' : 'fuzz-idx3-ubyte';
        const { dims, values } = parseIdx(decompress(gzipped ? gzip(file.bytes) : file.bytes, name), name, kind);
        expect(dims).toEqual(file.dims);
        expect(Buffer.compare(Buffer.from(values), Buffer.from(file.values))).toBe(0);
      }
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when given mutated IDX bytes, plain or gzipped', () => {
    it('should fail with a one-line input error or give exactly the values the header announces, never hang', () => {
      const random = new SeededRandom(909);
      let accepted = 0;
      for (let t = 0; t < 3000; t++) {
        const kind: IdxKind = t % 3 === 0 ? 'labels' : 'images';
        const valid = randomIdx(random, kind);
        const gzipped = t % 4 === 0;
        // Mutate the IDX bytes (then gzip them), or the gzip stream itself.
        const bytes = gzipped ? (random.next() < 0.5 ? gzip(mutateBytes(random, valid.bytes)) : mutateBytes(random, gzip(valid.bytes))) : mutateBytes(random, valid.bytes);
        const name = gzipped ? 'fuzz-idx3-ubyte.gz' : 'fuzz-idx3-ubyte';
        const started = performance.now();
        const parsed = parseOrRefuse(() => parseIdx(decompress(bytes, name), name, kind), bytes);
        expect(elapsedMs(started)).toBeLessThan(HANG_MS);
        if (!parsed) continue;
        accepted++;
        expect(parsed.dims).toHaveLength(kind === 'images' ? 3 : 1);
        expect(parsed.values.length).toBe(parsed.dims.reduce((a, b) => a * b, 1));
        if (kind === 'images') expect(parsed.dims[1] * parsed.dims[2]).toBeGreaterThan(0);
      }
      expect(accepted).toBeGreaterThan(100);
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when IdxLoader reads valid and mutated files from disk', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-fuzz-idx-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should give the same consistent samples from load and stream, or the same one-line input error', async () => {
      const random = new SeededRandom(1010);
      const loader = new IdxLoader();
      for (let t = 0; t < 200; t++) {
        const images = randomIdx(random, 'images');
        const labels = randomIdx(random, 'labels', images.dims[0]);
        const mutateImages = t % 3 !== 0;
        const mutateLabels = t % 5 === 0;
        const gzipped = t % 2 === 0;
        const imageBytes = mutateImages ? mutateBytes(random, images.bytes) : images.bytes;
        const imagesFile = path.join(dir, `t${t}-images-idx3-ubyte${gzipped ? '.gz' : ''}`);
        const labelsFile = path.join(dir, `t${t}-labels-idx1-ubyte`);
        writeFileSync(imagesFile, gzipped ? gzip(imageBytes) : imageBytes);
        writeFileSync(labelsFile, mutateLabels ? mutateBytes(random, labels.bytes) : labels.bytes);
        const chunkRows = between(random, 1, 5);
        const loaded = await parseOrRefuseAsync(() => loader.load(imagesFile), imageBytes);
        const streamed = await parseOrRefuseAsync(() => collect(loader.stream(imagesFile, chunkRows)), imageBytes);
        expect(loaded === undefined, `load and stream disagree on ${imagesFile}`).toBe(streamed === undefined);
        if (!loaded || !streamed) continue;
        if (loaded.n === 0) {
          expect(streamed).toEqual([]);
          continue;
        }
        expect(inconsistency(loaded)).toBeUndefined();
        for (const chunk of streamed) expect(inconsistency(chunk)).toBeUndefined();
        expect(streamed.reduce((sum, c) => sum + c.n, 0)).toBe(loaded.n);
        expect(Buffer.from(Float32Array.from(streamed.flatMap((c) => Array.from(c.x))).buffer).equals(Buffer.from(loaded.x.buffer))).toBe(true);
        if (!mutateImages && !mutateLabels) expect(Array.from(loaded.classes!)).toEqual(Array.from(labels.values));
      }
    }, FUZZ_TIMEOUT_MS);
  });
});
