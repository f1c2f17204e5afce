/**
 * Fuzz tests of the NumPy readers (`@imdad/loader-tabular`): random valid
 * `.npy` files and `.npz` archives read back exactly; mutated bytes, headers
 * and archives fail with a one-line input error or give consistent rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dataset } from '@imdad/core';
import { NpyLoader, halfToFloat, npyDataset, npzDataset } from '@imdad/loader-tabular';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeValues, npy, toFortranOrder, zip, type ZipMember } from '../../plugins/loader-tabular/src/testing/numpy-files.js';
import { between, elapsedMs, inconsistency, mutateBytes, mutateText, parseOrRefuse, parseOrRefuseAsync, pick, SeededRandom } from './mutate.js';

const FUZZ_TIMEOUT_MS = 10_000;
const HANG_MS = 1_000;

const DTYPES = ['<f8', '>f8', '<f4', '>f4', '<f2', '>f2', '<i8', '>i8', '<u8', '>u8', '<i4', '>i4', '<u4', '>u4', '<i2', '>i2', '<u2', '>u2', '|i1', '|u1', '|b1'];

/** A random value of `descr`, as the file stores it, and what it reads as (float32). */
function randomValue(random: SeededRandom, descr: string): { stored: number; read: number } {
  const kind = descr.slice(1, 2);
  const size = Number(descr.slice(2));
  if (kind === 'f' && size === 2) {
    const bits = (random.int(2) << 15) | (random.int(31) << 10) | random.int(1024); // exponent < 31: finite
    return { stored: bits, read: halfToFloat(bits) };
  }
  if (kind === 'f') {
    const value = (random.next() - 0.5) * 10 ** between(random, -8, 30);
    const stored = size === 4 ? Math.fround(value) : value;
    return { stored, read: Math.fround(stored) };
  }
  if (kind === 'b') {
    const value = random.int(2);
    return { stored: value, read: value };
  }
  const bits = size * 8;
  const span = bits >= 53 ? 2 ** 53 : 2 ** bits;
  const unsigned = random.int(span);
  const stored = kind === 'u' ? unsigned : bits >= 53 ? unsigned - 2 ** 52 : unsigned - span / 2;
  return { stored, read: Math.fround(stored) };
}

interface NpyCase {
  readonly bytes: Uint8Array;
  readonly n: number;
  readonly d: number;
  readonly values: number[];
  readonly descr: string;
  readonly shape: number[];
}

/** A random valid `.npy` file: any dtype, byte order, memory order and format version, 1-D or 2-D. */
function randomNpy(random: SeededRandom, options: { twoD?: boolean; descr?: string; n?: number } = {}): NpyCase {
  const descr = options.descr ?? pick(random, DTYPES);
  const n = options.n ?? between(random, 1, 12);
  const twoD = options.twoD ?? random.next() < 0.7;
  const d = twoD ? between(random, 1, 6) : 1;
  const shape = twoD ? [n, d] : [n];
  const drawn = Array.from({ length: n * d }, () => randomValue(random, descr));
  const fortran = twoD && random.next() < 0.4;
  const stored = drawn.map((v) => v.stored);
  const body = encodeValues(descr, fortran ? toFortranOrder(stored, shape) : stored);
  const bytes = npy({ descr, shape, fortran, version: pick(random, [1, 1, 2, 3] as const), body });
  return { bytes, n, d, values: drawn.map((v) => v.read), descr, shape };
}

const describeFile = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

const HEADER_ALPHABET = ["'", '"', '(', ')', ',', ':', '{', '}', ' ', '0', '1', '9', '-', 'L', 'True', 'False', 'None', 'descr', 'shape', '<f8', '|O', '\\'];

describe('NumPy reader fuzzing', () => {
  describe('when given random valid .npy files', () => {
    it('should read every value exactly, in row-major order', () => {
      const random = new SeededRandom(404);
      for (let t = 0; t < 2000; t++) {
        const file = randomNpy(random);
        const dataset = npyDataset(file.bytes, 'fuzz.npy');
        const problem = inconsistency(dataset);
        if (problem) expect.fail(`${file.descr} ${file.shape}: ${problem}`);
        expect(dataset.n).toBe(file.n);
        expect(dataset.sampleShape).toEqual([file.d]);
        expect(Array.from(dataset.x), `${file.descr} ${file.shape}`).toEqual(file.values);
      }
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when given mutated .npy bytes and headers', () => {
    it('should fail with a one-line input error or give consistent rows, never hang', () => {
      const random = new SeededRandom(505);
      let accepted = 0;
      for (let t = 0; t < 3000; t++) {
        const file = randomNpy(random);
        let bytes: Uint8Array;
        if (t % 3 === 0) {
          const shapeText = file.shape.length === 1 ? `(${file.shape[0]},)` : `(${file.shape.join(', ')})`;
          const header = mutateText(random, `{'descr': '${file.descr}', 'fortran_order': False, 'shape': ${shapeText}, }`, HEADER_ALPHABET);
          bytes = npy({ descr: file.descr, shape: file.shape, header, body: file.bytes.subarray(file.bytes.length - file.values.length * Number(file.descr.slice(2))) });
        } else {
          bytes = mutateBytes(random, file.bytes);
        }
        const started = performance.now();
        const dataset = parseOrRefuse(() => npyDataset(bytes, 'fuzz.npy'), bytes);
        expect(elapsedMs(started)).toBeLessThan(HANG_MS);
        if (!dataset) continue;
        accepted++;
        const problem = inconsistency(dataset);
        if (problem) expect.fail(problem);
      }
      expect(accepted).toBeGreaterThan(100);
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when NpyLoader streams valid and mutated files from disk', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-fuzz-npy-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should give the rows load gives, chunk by chunk, or the same one-line input error', async () => {
      const random = new SeededRandom(555);
      const loader = new NpyLoader();
      const collect = async (chunks: AsyncIterable<Dataset>): Promise<Dataset[]> => {
        const out: Dataset[] = [];
        for await (const chunk of chunks) out.push(chunk);
        return out;
      };
      for (let t = 0; t < 300; t++) {
        const valid = randomNpy(random, { n: between(random, 1, 40) });
        const bytes = t % 3 === 0 ? valid.bytes : mutateBytes(random, valid.bytes);
        const file = path.join(dir, `f${t}.npy`);
        writeFileSync(file, bytes);
        const chunkRows = between(random, 1, 9);
        const loaded = await parseOrRefuseAsync(() => loader.load(file), bytes);
        const streamed = await parseOrRefuseAsync(() => collect(loader.stream(file, chunkRows)), bytes);
        expect(streamed === undefined, `load and stream disagree on ${describeFile(bytes)}`).toBe(loaded === undefined);
        if (!loaded || !streamed) continue;
        for (const chunk of streamed) expect(inconsistency(chunk)).toBeUndefined();
        expect(streamed.every((c, i) => c.n === (i < streamed.length - 1 ? chunkRows : loaded.n - chunkRows * i))).toBe(true);
        expect(streamed.flatMap((c) => Array.from(c.x))).toEqual(Array.from(loaded.x));
      }
    }, FUZZ_TIMEOUT_MS);
  });

  /** A random valid `.npz` archive of X and maybe y, stored or deflated, maybe ZIP64, maybe with other members. */
  function randomNpz(random: SeededRandom): { bytes: Uint8Array; x: number[]; y?: number[]; n: number; d: number; members: ZipMember[] } {
    const X = randomNpy(random, { twoD: true, descr: pick(random, ['<f8', '<f4', '>f8', '<i8', '|u1']) });
    const members: ZipMember[] = [{ name: 'X.npy', data: X.bytes, deflate: random.next() < 0.5 }];
    let y: number[] | undefined;
    if (random.next() < 0.7) {
      y = Array.from({ length: X.n }, () => random.int(2));
      const descr = pick(random, ['<i8', '|b1', '<f8', '|u1', '>i4']);
      const column = random.next() < 0.2;
      members.push({ name: 'y.npy', data: npy({ descr, shape: column ? [X.n, 1] : [X.n], body: encodeValues(descr, y) }), deflate: random.next() < 0.5 });
    }
    if (random.next() < 0.2) members.push({ name: 'notes.txt', data: new TextEncoder().encode('not an array') });
    if (random.next() < 0.5) members.reverse();
    const bytes = zip(members, { zip64: random.next() < 0.3, comment: random.next() < 0.2 ? 'a comment' : '' });
    return { bytes, x: X.values, y, n: X.n, d: X.d, members };
  }

  describe('when given random valid .npz archives', () => {
    it('should read X and y exactly', () => {
      const random = new SeededRandom(606);
      for (let t = 0; t < 1500; t++) {
        const archive = randomNpz(random);
        const dataset = npzDataset(archive.bytes, 'fuzz.npz');
        expect(inconsistency(dataset)).toBeUndefined();
        expect(dataset.n).toBe(archive.n);
        expect(dataset.sampleShape).toEqual([archive.d]);
        expect(Array.from(dataset.x)).toEqual(archive.x);
        expect(dataset.y ? Array.from(dataset.y) : undefined).toEqual(archive.y);
      }
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when given mutated .npz archives', () => {
    it('should fail with a one-line input error or give consistent rows, never hang', () => {
      const random = new SeededRandom(707);
      let accepted = 0;
      for (let t = 0; t < 3000; t++) {
        const archive = randomNpz(random);
        // Mutate the archive's bytes, or a member's bytes inside a well-formed archive.
        const bytes =
          t % 2 === 0
            ? mutateBytes(random, archive.bytes)
            : zip(archive.members.map((m) => (random.next() < 0.7 ? { ...m, data: mutateBytes(random, m.data) } : m)));
        const started = performance.now();
        const dataset = parseOrRefuse(() => npzDataset(bytes, 'fuzz.npz'), bytes);
        expect(elapsedMs(started)).toBeLessThan(HANG_MS);
        if (!dataset) continue;
        accepted++;
        const problem = inconsistency(dataset);
        if (problem) expect.fail(problem);
      }
      expect(accepted).toBeGreaterThan(100);
    }, FUZZ_TIMEOUT_MS);
  });
});
