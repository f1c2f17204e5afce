import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImdadError } from '@imdad/core';
import type { Dataset } from '@imdad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { halfToFloat, parseNpy } from './npy.js';
import { NpyLoader, NpzLoader } from './npy-loader.js';
import { crc32, readNpz, readZipDirectory } from './npz.js';
import { concat, encodeValues, latin1, npy, referenceCrc32, toFortranOrder, utf8, zip } from './testing/numpy-files.js';

function expectInputError(run: () => unknown, ...fragments: (string | RegExp)[]): ImdadError {
  let caught: unknown;
  try {
    run();
  } catch (err) {
    caught = err;
  }
  expect(ImdadError.is(caught, 'input'), `expected an input ImdadError, got ${String(caught)}`).toBe(true);
  const error = caught as ImdadError;
  expect(error.message).not.toContain('\n');
  for (const fragment of fragments) expect(error.message).toMatch(fragment);
  return error;
}

/** A small deterministic generator for the fuzz tests. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const f32 = (values: readonly number[]): Float32Array => Float32Array.from(values);

// ---------------------------------------------------------------------------------------------

describe(parseNpy, () => {
  describe('.parseNpy', () => {
    const cases: { type: string; values: number[] }[] = [
      { type: 'f8', values: [0, -1.5, 3.25, 1e-3, -1e30, 123456.789, Math.PI] },
      { type: 'f4', values: [0, -1.5, 3.25, Math.fround(0.1), -3.4e38, Math.fround(123456.789)] },
      { type: 'i8', values: [0, -1, 1, 2 ** 53, -(2 ** 53), 123456789012, -(2 ** 31) - 5] },
      { type: 'u8', values: [0, 1, 2 ** 53, 2 ** 32 + 7, 4294967295] },
      { type: 'i4', values: [0, -1, 2147483647, -2147483648, 42] },
      { type: 'u4', values: [0, 1, 4294967295, 2147483648] },
      { type: 'i2', values: [0, -1, 32767, -32768, 7] },
      { type: 'u2', values: [0, 1, 65535, 32768] },
    ];
    for (const { type, values } of cases) {
      for (const order of ['<', '>']) {
        const descr = `${order}${type}`;
        describe(`when the dtype is '${descr}'`, () => {
          it('should read every value (rounded to float32)', () => {
            const bytes = npy({ descr, shape: [values.length], body: encodeValues(descr, values) });
            const parsed = parseNpy(bytes, 'a.npy');
            expect(parsed.dtype).toBe(descr);
            expect(parsed.shape).toEqual([values.length]);
            expect(parsed.data).toEqual(f32(values));
          });
        });
      }
    }

    for (const descr of ['|i1', '|u1', '|b1']) {
      describe(`when the dtype is '${descr}'`, () => {
        it('should read every value', () => {
          const values = descr === '|i1' ? [0, -1, 127, -128] : descr === '|u1' ? [0, 1, 255, 128] : [0, 1, 1, 0];
          const parsed = parseNpy(npy({ descr, shape: [4], body: encodeValues(descr, values) }), 'a.npy');
          expect(parsed.data).toEqual(f32(values));
        });
      });
    }

    describe('when a bool array holds a non-zero byte other than 1', () => {
      it('should read it as true', () => {
        const parsed = parseNpy(npy({ descr: '|b1', shape: [3], body: Uint8Array.of(0, 2, 255) }), 'a.npy');
        expect(parsed.data).toEqual(f32([0, 1, 1]));
      });
    });

    for (const order of ['<', '>']) {
      describe(`when the dtype is '${order}f2' (half precision)`, () => {
        it('should decode normal, subnormal, signed-zero, infinite and NaN values', () => {
          const bits = [0x3c00, 0xc000, 0x3800, 0x7bff, 0x0001, 0x0000, 0x8000, 0x7c00, 0xfc00, 0x7e00, 0x3555];
          const expected = [1, -2, 0.5, 65504, 2 ** -24, 0, -0, Infinity, -Infinity, NaN, 0.333251953125];
          const parsed = parseNpy(npy({ descr: `${order}f2`, shape: [bits.length], body: encodeValues(`${order}f2`, bits) }), 'h.npy');
          expect(Array.from(parsed.data)).toEqual(expected);
          expect(halfToFloat(0x8000)).toBe(-0);
        });
      });
    }

    describe('when the array is 2-D in C order', () => {
      it('should keep the values and the shape', () => {
        const values = [1, 2, 3, 4, 5, 6];
        const parsed = parseNpy(npy({ descr: '<f8', shape: [2, 3], body: encodeValues('<f8', values) }), 'a.npy');
        expect(parsed.shape).toEqual([2, 3]);
        expect(parsed.data).toEqual(f32(values));
      });
    });

    describe('when fortran_order is True', () => {
      for (const [descr, shape] of [
        ['<f8', [2, 3]],
        ['>i4', [3, 2]],
        ['|u1', [4, 1]],
        ['<i2', [1, 5]],
        ['>f4', [2, 3, 4]],
        ['<u2', [2, 1, 3, 2]],
      ] as const) {
        it(`should transpose a ${shape.join('x')} ${descr} array to row-major order`, () => {
          const values = Array.from({ length: shape.reduce<number>((a, b) => a * b, 1) }, (_, k) => k + 1);
          const body = encodeValues(descr, toFortranOrder(values, shape));
          const parsed = parseNpy(npy({ descr, shape, fortran: true, body }), 'f.npy');
          expect(parsed.shape).toEqual(shape);
          expect(parsed.data).toEqual(f32(values));
        });
      }

      it('should leave a 1-D array as it is', () => {
        const parsed = parseNpy(npy({ descr: '<f4', shape: [3], fortran: true, body: encodeValues('<f4', [1, 2, 3]) }), 'f.npy');
        expect(parsed.data).toEqual(f32([1, 2, 3]));
      });
    });

    describe('when the format version is 2.0 or 3.0', () => {
      it('should read the 4-byte header length (and a UTF-8 header in 3.0)', () => {
        for (const version of [2, 3] as const) {
          const parsed = parseNpy(npy({ descr: '<i4', shape: [2, 2], version, body: encodeValues('<i4', [1, 2, 3, 4]) }), 'v.npy');
          expect(parsed.shape).toEqual([2, 2]);
          expect(parsed.data).toEqual(f32([1, 2, 3, 4]));
        }
      });
    });

    describe('when the header is written in other valid styles', () => {
      it('should accept double quotes, any key order, Python 2 longs and no trailing comma', () => {
        const header = `{"shape": (2L, 1L), "fortran_order": False, "descr": "<u1"}`;
        const parsed = parseNpy(npy({ descr: '', shape: [], header, body: Uint8Array.of(7, 9) }), 'p.npy');
        expect(parsed.shape).toEqual([2, 1]);
        expect(parsed.data).toEqual(f32([7, 9]));
      });
    });

    describe('when the array is a scalar or empty', () => {
      it('should read shape () as one value and shape (0, 3) as none', () => {
        expect(parseNpy(npy({ descr: '<f8', shape: [], body: encodeValues('<f8', [2.5]) }), 's.npy')).toEqual({
          data: f32([2.5]),
          shape: [],
          dtype: '<f8',
        });
        expect(parseNpy(npy({ descr: '<f8', shape: [0, 3] }), 'e.npy').data.length).toBe(0);
      });
    });

    describe('when the bytes are not an npy file', () => {
      it('should fail naming the file and the magic', () => {
        expectInputError(() => parseNpy(latin1('PK\x03\x04 not numpy at all'), 'x.npy'), 'x.npy', 'magic');
        expectInputError(() => parseNpy(new Uint8Array(0), 'empty.npy'), 'empty.npy');
      });
    });

    describe('when the version is unknown', () => {
      it('should fail naming the version', () => {
        const bytes = npy({ descr: '<f8', shape: [0] });
        bytes[6] = 4;
        expectInputError(() => parseNpy(bytes, 'v4.npy'), 'v4.npy', 'version 4');
      });
    });

    describe('when the header is cut off', () => {
      it('should fail naming the file', () => {
        const bytes = npy({ descr: '<f8', shape: [1], body: encodeValues('<f8', [1]) });
        expectInputError(() => parseNpy(bytes.subarray(0, 40), 'cut.npy'), 'cut.npy', 'truncated .npy header');
      });
    });

    describe('when the header is malformed', () => {
      for (const [header, fragment] of [
        ["{'descr': '<f8', 'fortran_order': False}", "'shape' is missing"],
        ["{'descr': '<f8', 'fortran_order': 0, 'shape': (1,)}", 'fortran_order'],
        ["{'descr': '<f8', 'fortran_order': False, 'shape': (-1,)}", 'non-negative'],
        ["{'descr': '<f8', 'fortran_order': False, 'shape': (1.5,)}", 'bad .npy header'],
        ["{'descr': '<f8', 'fortran_order': False, 'shape': 3}", "'shape' is not a tuple"],
        ["['descr', '<f8']", 'not a dictionary'],
        ["{'descr': '<f8', 'fortran_order': False, 'shape': (1,)", 'bad .npy header'],
        ["{'descr': '<f8 'fortran_order': False}", 'bad .npy header'],
        ['', 'bad .npy header'],
      ]) {
        it(`should reject ${JSON.stringify(header)}`, () => {
          expectInputError(() => parseNpy(npy({ descr: '', shape: [], header }), 'h.npy'), 'h.npy', fragment);
        });
      }
    });

    describe('when the data is shorter than the shape needs', () => {
      it('should fail as truncated, naming the file', () => {
        const bytes = npy({ descr: '<f8', shape: [2, 3], body: encodeValues('<f8', [1, 2, 3, 4, 5, 6]) });
        expectInputError(() => parseNpy(bytes.subarray(0, bytes.length - 1), 'short.npy'), 'short.npy', 'truncated .npy data', '48 bytes');
      });
    });

    describe('when bytes follow the data', () => {
      it('should fail rather than guess', () => {
        const bytes = concat(npy({ descr: '<f8', shape: [1], body: encodeValues('<f8', [1]) }), Uint8Array.of(0));
        expectInputError(() => parseNpy(bytes, 'long.npy'), 'long.npy', 'corrupt .npy data');
      });
    });

    describe('when the header announces a huge shape', () => {
      it('should fail from the byte count without allocating', () => {
        const bytes = npy({ descr: '<f8', shape: [1e12, 1e12], body: new Uint8Array(8) });
        expectInputError(() => parseNpy(bytes, 'huge.npy'), 'huge.npy');
        const big = npy({ descr: '<f8', shape: [2 ** 40, 1000], body: new Uint8Array(8) });
        expectInputError(() => parseNpy(big, 'big.npy'), 'big.npy', 'truncated');
      });
    });

    describe('when the array holds pickled Python objects', () => {
      it('should fail saying object arrays are not supported and how to save instead', () => {
        const bytes = npy({ descr: '|O', shape: [2], body: latin1('\x80\x04garbage-pickle') });
        expectInputError(
          () => parseNpy(bytes, 'obj.npy'),
          'obj.npy: object arrays (pickled Python objects) are not supported; save with allow_pickle=False',
        );
      });
    });

    describe('when the dtype is not numeric', () => {
      for (const [descr, fragment] of [
        ['<U5', 'string arrays'],
        ['|S3', 'string arrays'],
        ['<c16', 'complex'],
        ['<c8', 'complex'],
        ['|V8', 'structured'],
        ['<M8[ns]', "'<M8[ns]'"],
        ['<m8', 'timedelta'],
        ['<f16', "unsupported dtype '<f16'"],
        ['<i3', "unsupported dtype '<i3'"],
        ["[('a', '<f8'), ('b', '<i4')]", 'structured dtypes'],
      ]) {
        it(`should reject ${descr} naming it`, () => {
          const error = expectInputError(() => parseNpy(npy({ descr, shape: [1], body: new Uint8Array(16) }), 'd.npy'), 'd.npy', fragment);
          if (!descr.startsWith('[')) expect(error.message).toContain(descr);
        });
      }
    });

    describe('when the bytes are fuzzed', () => {
      it('should either read them or fail with an input error', () => {
        const valid = npy({ descr: '<f4', shape: [3, 2], fortran: true, body: encodeValues('<f4', [1, 2, 3, 4, 5, 6]) });
        const random = lcg(1234);
        for (let round = 0; round < 3000; round++) {
          const bytes = valid.slice(0, 1 + Math.floor(random() * valid.length));
          const flips = 1 + Math.floor(random() * 4);
          for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
          try {
            parseNpy(bytes, 'fuzz.npy');
          } catch (err) {
            expect(ImdadError.is(err, 'input'), String(err)).toBe(true);
          }
        }
      });
    });
  });
});

describe(readNpz, () => {
  describe('.readNpz', () => {
    const X = npy({ descr: '<f8', shape: [3, 2], fortran: true, body: encodeValues('<f8', toFortranOrder([1, 2, 3, 4, 5, 6], [3, 2])) });
    const y = npy({ descr: '<i8', shape: [3], body: encodeValues('<i8', [0, 1, 0]) });

    for (const [label, options] of [
      ['stored', { deflate: false, zip64: false }],
      ['deflated', { deflate: true, zip64: false }],
      ['deflated with ZIP64 records (as numpy.savez writes)', { deflate: true, zip64: true }],
      ['stored with ZIP64 records', { deflate: false, zip64: true }],
    ] as const) {
      describe(`when the members are ${label}`, () => {
        it('should read every array by its name without .npy', () => {
          const bytes = zip(
            [
              { name: 'X.npy', data: X, deflate: options.deflate },
              { name: 'y.npy', data: y, deflate: options.deflate },
            ],
            { zip64: options.zip64 },
          );
          const arrays = readNpz(bytes, 'tiny.npz');
          expect([...arrays.keys()]).toEqual(['X', 'y']);
          expect(arrays.get('X')).toEqual({ data: f32([1, 2, 3, 4, 5, 6]), shape: [3, 2], dtype: '<f8' });
          expect(arrays.get('y')).toEqual({ data: f32([0, 1, 0]), shape: [3], dtype: '<i8' });
        });
      });
    }

    describe('when the archive has a comment and a non-.npy member', () => {
      it('should find the directory and skip the other member', () => {
        const bytes = zip(
          [
            { name: 'README.txt', data: utf8('hello') },
            { name: 'X.npy', data: X, deflate: true },
          ],
          { comment: 'PK\x05\x06 a comment that looks like a signature' },
        );
        expect([...readNpz(bytes, 'c.npz').keys()]).toEqual(['X']);
      });
    });

    describe('when asked for some arrays only', () => {
      it('should not decode the others', () => {
        const pickled = npy({ descr: '|O', shape: [1], body: latin1('\x80\x04junk') });
        const bytes = zip([
          { name: 'X.npy', data: X },
          { name: 'meta.npy', data: pickled },
        ]);
        expect([...readNpz(bytes, 'o.npz', ['X', 'y']).keys()]).toEqual(['X']);
        expectInputError(() => readNpz(bytes, 'o.npz'), 'o.npz', 'meta.npy', 'object arrays');
      });
    });

    describe('when the archive is truncated', () => {
      it('should fail naming the file, wherever it is cut', () => {
        const bytes = zip([
          { name: 'X.npy', data: X, deflate: true },
          { name: 'y.npy', data: y },
        ]);
        for (const keep of [0, 10, 60, bytes.length / 2, bytes.length - 30, bytes.length - 1]) {
          expectInputError(() => readNpz(bytes.subarray(0, Math.floor(keep)), 'cut.npz'), 'cut.npz');
        }
      });

      it('should report a member whose data runs past the end', () => {
        const bytes = zip([{ name: 'X.npy', data: X }]);
        const view = new DataView(bytes.buffer);
        const cd = view.getUint32(bytes.length - 6, true);
        view.setUint32(cd + 20, 100000, true); // compressed size
        view.setUint32(cd + 24, 100000, true);
        expectInputError(() => readNpz(bytes, 'big.npz'), 'big.npz', 'truncated .npz file', 'X.npy');
      });
    });

    describe('when a member is corrupt', () => {
      it('should fail on a CRC mismatch', () => {
        const bytes = zip([{ name: 'X.npy', data: X }]);
        bytes[30 + 5 + 130] ^= 0xff; // a data byte of X
        expectInputError(() => readNpz(bytes, 'crc.npz'), 'crc.npz', 'CRC-32');
      });

      it('should fail when deflated data does not inflate', () => {
        const bytes = zip([{ name: 'X.npy', data: X, deflate: true }]);
        for (let p = 35; p < 45; p++) bytes[p] = 0xff;
        expectInputError(() => readNpz(bytes, 'inf.npz'), 'inf.npz', 'X.npy');
      });
    });

    describe('when a member is encrypted', () => {
      it('should fail saying encryption is not supported', () => {
        const bytes = zip([{ name: 'X.npy', data: X, flags: 1 }]);
        expectInputError(() => readNpz(bytes, 'enc.npz'), 'enc.npz', 'encrypted');
      });
    });

    describe('when a member uses another compression method', () => {
      it('should fail naming the method', () => {
        const bytes = zip([{ name: 'X.npy', data: X, method: 12 }]);
        expectInputError(() => readNpz(bytes, 'bz.npz'), 'bz.npz', 'method 12');
      });
    });

    describe('when the file is not a ZIP archive', () => {
      it('should fail naming the file', () => {
        expectInputError(() => readNpz(X, 'plain.npz'), 'plain.npz', 'not a valid .npz');
      });
    });

    describe('when the bytes are fuzzed', () => {
      it('should either read them or fail with an input error', () => {
        const valid = zip(
          [
            { name: 'X.npy', data: X, deflate: true },
            { name: 'y.npy', data: y },
          ],
          { zip64: true },
        );
        const random = lcg(99);
        for (let round = 0; round < 2000; round++) {
          const bytes = valid.slice(0, Math.max(1, valid.length - Math.floor(random() * random() * valid.length)));
          const flips = 1 + Math.floor(random() * 3);
          for (let f = 0; f < flips; f++) bytes[Math.floor(random() * bytes.length)] = Math.floor(random() * 256);
          try {
            readNpz(bytes, 'fuzz.npz');
          } catch (err) {
            expect(ImdadError.is(err, 'input'), String(err)).toBe(true);
          }
        }
      });
    });
  });
});

describe(readZipDirectory, () => {
  describe('.readZipDirectory', () => {
    describe('when the archive uses ZIP64', () => {
      it('should take sizes and offsets from the ZIP64 extra field', () => {
        const data = utf8('abc');
        const entries = readZipDirectory(zip([{ name: 'a.npy', data }, { name: 'b.npy', data }], { zip64: true }), 'z.npz');
        expect(entries.map((e) => [e.name, e.compressedSize, e.uncompressedSize])).toEqual([
          ['a.npy', 3, 3],
          ['b.npy', 3, 3],
        ]);
        expect(entries[1].localHeaderOffset).toBe(30 + 5 + 20 + 3);
      });
    });
  });
});

describe(crc32, () => {
  describe('.crc32', () => {
    describe('when given bytes', () => {
      it('should match the reference CRC-32', () => {
        expect(crc32(latin1('123456789'))).toBe(0xcbf43926);
        const random = lcg(5);
        const data = Uint8Array.from({ length: 1000 }, () => Math.floor(random() * 256));
        expect(crc32(data)).toBe(referenceCrc32(data));
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Loaders, on files written to a temporary folder.

async function expectInputRejection(promise: Promise<unknown>, ...fragments: (string | RegExp)[]): Promise<void> {
  let caught: unknown;
  try {
    await promise;
  } catch (err) {
    caught = err;
  }
  expect(ImdadError.is(caught, 'input'), `expected an input ImdadError, got ${String(caught)}`).toBe(true);
  const message = (caught as ImdadError).message;
  expect(message).not.toContain('\n');
  for (const fragment of fragments) expect(message).toMatch(fragment);
}

async function collect(chunks: AsyncIterable<Dataset>): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

describe('NumPy loaders', () => {
  let dir: string;
  const file = (name: string, bytes: Uint8Array): string => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };
  const matrix = (rows: number, cols: number): number[] => Array.from({ length: rows * cols }, (_, k) => k / 4 - 3);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'imdad-loader-npy-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  describe(NpyLoader, () => {
    const loader = new NpyLoader();

    describe('.canLoad', () => {
      it('should accept .npy files only', () => {
        expect(loader.name).toBe('npy');
        expect(loader.canLoad('data/x.npy', false)).toBe(true);
        expect(loader.canLoad('X.NPY', false)).toBe(true);
        expect(loader.canLoad('x.npz', false)).toBe(false);
        expect(loader.canLoad('dir.npy', true)).toBe(false);
      });
    });

    describe('.load', () => {
      describe('when the array is 2-D', () => {
        it('should give n rows of d features, without labels', async () => {
          const values = matrix(4, 3);
          const path = file('m.npy', npy({ descr: '>f4', shape: [4, 3], fortran: true, body: encodeValues('>f4', toFortranOrder(values, [4, 3])) }));
          const data = await loader.load(path);
          expect(data).toEqual({ x: f32(values), n: 4, sampleShape: [3], source: path });
        });
      });

      describe('when the array is 1-D', () => {
        it('should give n rows of one feature', async () => {
          const path = file('v.npy', npy({ descr: '<i8', shape: [3], body: encodeValues('<i8', [5, -6, 7]) }));
          const data = await loader.load(path);
          expect(data.n).toBe(3);
          expect(data.sampleShape).toEqual([1]);
          expect(data.x).toEqual(f32([5, -6, 7]));
        });
      });

      describe('when the array has 3 dimensions', () => {
        it('should fail naming the shape', async () => {
          const path = file('cube.npy', npy({ descr: '|u1', shape: [2, 2, 2], body: new Uint8Array(8) }));
          await expectInputRejection(loader.load(path), 'cube.npy', /\(2, 2, 2\)/);
        });
      });

      describe('when a value is NaN or beyond float32', () => {
        it('should fail naming the row and column', async () => {
          const nan = file('nan.npy', npy({ descr: '<f8', shape: [2, 2], body: encodeValues('<f8', [1, 2, 3, NaN]) }));
          await expectInputRejection(loader.load(nan), 'nan.npy', 'row 1, column 1', 'NaN');
          const big = file('big.npy', npy({ descr: '<f8', shape: [1, 2], body: encodeValues('<f8', [1e39, 0]) }));
          await expectInputRejection(loader.load(big), 'big.npy', 'row 0, column 0', 'infinite');
        });
      });

      describe('when the file holds pickled objects', () => {
        it('should fail with the clear message', async () => {
          const path = file('obj.npy', npy({ descr: '|O', shape: [3], body: latin1('\x80\x04...') }));
          await expectInputRejection(loader.load(path), 'obj.npy', 'object arrays (pickled Python objects) are not supported; save with allow_pickle=False');
        });
      });

      describe('when the file is truncated', () => {
        it('should fail naming the file', async () => {
          const bytes = npy({ descr: '<f8', shape: [2, 2], body: encodeValues('<f8', [1, 2, 3, 4]) });
          const path = file('cut.npy', bytes.subarray(0, bytes.length - 8));
          await expectInputRejection(loader.load(path), 'cut.npy', 'truncated');
        });
      });

      describe('when the file does not exist', () => {
        it('should fail naming it', async () => {
          await expectInputRejection(loader.load(join(dir, 'missing.npy')), 'missing.npy', 'no such file');
        });
      });
    });

    describe('.stream', () => {
      describe('when asked for chunks', () => {
        it('should read at most chunkRows rows at a time from the file, in order', async () => {
          const values = matrix(10, 2);
          const path = file('s.npy', npy({ descr: '<f8', shape: [10, 2], body: encodeValues('<f8', values) }));
          const chunks = await collect(loader.stream(path, 4));
          expect(chunks.map((c) => c.n)).toEqual([4, 4, 2]);
          expect(chunks.map((c) => Array.from(c.x)).flat()).toEqual(Array.from(f32(values)));
          expect(chunks.map((c) => c.x.length)).toEqual([8, 8, 4]); // each chunk holds its own rows only
          expect(chunks[2].sampleShape).toEqual([2]);
        });
      });

      describe('when the array is 2-D in Fortran order or 1-D', () => {
        it('should give the rows load gives', async () => {
          const values = matrix(7, 3);
          const fortran = file('sf.npy', npy({ descr: '>f4', shape: [7, 3], fortran: true, body: encodeValues('>f4', toFortranOrder(values, [7, 3])) }));
          const vector = file('sv.npy', npy({ descr: '<i2', shape: [5], body: encodeValues('<i2', [1, -2, 3, -4, 5]) }));
          for (const path of [fortran, vector]) {
            const chunks = await collect(loader.stream(path, 2));
            expect(chunks.flatMap((c) => Array.from(c.x))).toEqual(Array.from((await loader.load(path)).x));
          }
        });
      });

      describe('when a row deep in the file holds NaN', () => {
        it('should fail naming the row in the file, not in the chunk', async () => {
          const values = matrix(10, 2);
          values[17] = NaN;
          const path = file('snan.npy', npy({ descr: '<f8', shape: [10, 2], body: encodeValues('<f8', values) }));
          await expectInputRejection(collect(loader.stream(path, 4)), 'snan.npy', 'row 8, column 1', 'NaN');
        });
      });

      describe('when the file is truncated', () => {
        it('should fail before the first chunk, naming the file', async () => {
          const bytes = npy({ descr: '<f8', shape: [10, 2], body: encodeValues('<f8', matrix(10, 2)) });
          const path = file('scut.npy', bytes.subarray(0, bytes.length - 8));
          await expectInputRejection(collect(loader.stream(path, 4)), 'scut.npy', 'truncated .npy data');
        });
      });

      describe('when chunkRows is not a positive integer', () => {
        it('should fail as a usage error', async () => {
          const path = file('u.npy', npy({ descr: '<f8', shape: [1], body: encodeValues('<f8', [1]) }));
          await expect(collect(loader.stream(path, 0))).rejects.toSatisfy((e) => ImdadError.is(e, 'usage'));
        });
      });
    });
  });

  describe(NpzLoader, () => {
    const loader = new NpzLoader();
    const X = (rows: number, cols: number, values = matrix(rows, cols)): Uint8Array =>
      npy({ descr: '<f8', shape: [rows, cols], fortran: true, body: encodeValues('<f8', toFortranOrder(values, [rows, cols])) });
    const Y = (labels: number[], descr = '<i8'): Uint8Array =>
      npy({ descr, shape: [labels.length], body: encodeValues(descr, labels) });

    describe('.canLoad', () => {
      it('should accept .npz files only', () => {
        expect(loader.name).toBe('npz');
        expect(loader.canLoad('a/b/11_donors.npz', false)).toBe(true);
        expect(loader.canLoad('a.npy', false)).toBe(false);
        expect(loader.canLoad('a.npz', true)).toBe(false);
      });
    });

    describe('.load', () => {
      describe('when the archive has X and 0/1 labels y', () => {
        it('should read features and labels', async () => {
          const values = matrix(5, 2);
          const path = file('xy.npz', zip([
            { name: 'X.npy', data: X(5, 2, values), deflate: true },
            { name: 'y.npy', data: Y([0, 1, 0, 0, 1], '<i4'), deflate: true },
          ]));
          const data = await loader.load(path);
          expect(data).toEqual({ x: f32(values), n: 5, sampleShape: [2], y: Uint8Array.of(0, 1, 0, 0, 1), source: path });
        });
      });

      describe('when y is boolean or an (n, 1) column', () => {
        it('should read it as labels', async () => {
          const bools = file('b.npz', zip([{ name: 'X.npy', data: X(2, 1) }, { name: 'y.npy', data: Y([1, 0], '|b1') }]));
          expect((await loader.load(bools)).y).toEqual(Uint8Array.of(1, 0));
          const column = npy({ descr: '<f8', shape: [2, 1], body: encodeValues('<f8', [0, 1]) });
          const col = file('col.npz', zip([{ name: 'X.npy', data: X(2, 1) }, { name: 'y.npy', data: column }]));
          expect((await loader.load(col)).y).toEqual(Uint8Array.of(0, 1));
        });
      });

      describe('when there is no y', () => {
        it('should read features only', async () => {
          const path = file('x.npz', zip([{ name: 'X.npy', data: X(3, 4) }], { zip64: true }));
          const data = await loader.load(path);
          expect(data.n).toBe(3);
          expect(data.y).toBeUndefined();
        });
      });

      describe('when y holds a value other than 0 or 1', () => {
        it('should fail naming the row and value', async () => {
          const path = file('y2.npz', zip([{ name: 'X.npy', data: X(3, 2) }, { name: 'y.npy', data: Y([0, 2, 1]) }]));
          await expectInputRejection(loader.load(path), 'y2.npz', 'y[1]', 'is 2', '0 (normal) or 1 (anomaly)');
        });
      });

      describe('when X and y have different row counts', () => {
        it('should fail with both counts', async () => {
          const path = file('mismatch.npz', zip([{ name: 'X.npy', data: X(3, 2) }, { name: 'y.npy', data: Y([0, 1]) }]));
          await expectInputRejection(loader.load(path), 'mismatch.npz', 'X has 3 rows but y has 2 labels');
        });
      });

      describe('when X is missing or not 2-D', () => {
        it('should fail naming the arrays there are', async () => {
          const none = file('nox.npz', zip([{ name: 'features.npy', data: X(2, 2) }]));
          await expectInputRejection(loader.load(none), 'nox.npz', "no array named 'X'", 'features');
          const flat = file('flat.npz', zip([{ name: 'X.npy', data: Y([1, 2, 3]) }]));
          await expectInputRejection(loader.load(flat), 'flat.npz', 'expected a 2-D array');
        });
      });

      describe('when X is an object array', () => {
        it('should fail with the clear message', async () => {
          const path = file('objx.npz', zip([{ name: 'X.npy', data: npy({ descr: '|O', shape: [2], body: latin1('\x80\x04') }) }]));
          await expectInputRejection(loader.load(path), 'objx.npz', 'object arrays (pickled Python objects) are not supported; save with allow_pickle=False');
        });
      });

      describe('when the file is truncated', () => {
        it('should fail naming the file', async () => {
          const bytes = zip([{ name: 'X.npy', data: X(50, 4), deflate: true }, { name: 'y.npy', data: Y(new Array(50).fill(0)) }]);
          for (const keep of [0.3, 0.9]) {
            const path = file(`cut${keep}.npz`, bytes.subarray(0, Math.floor(bytes.length * keep)));
            await expectInputRejection(loader.load(path), `cut${keep}.npz`);
          }
        });
      });
    });

    describe('.stream', () => {
      describe('when asked for chunks', () => {
        it('should yield views of features and labels', async () => {
          const labels = [0, 1, 0, 1, 1, 0, 0];
          const path = file('st.npz', zip([{ name: 'X.npy', data: X(7, 3) }, { name: 'y.npy', data: Y(labels) }]));
          const whole = await loader.load(path);
          const chunks = await collect(loader.stream(path, 3));
          expect(chunks.map((c) => c.n)).toEqual([3, 3, 1]);
          expect(chunks.flatMap((c) => Array.from(c.y!))).toEqual(labels);
          expect(chunks.flatMap((c) => Array.from(c.x))).toEqual(Array.from(whole.x));
          expect(chunks[2].y!.buffer).toBe(chunks[0].y!.buffer);
        });
      });
    });
  });
});
