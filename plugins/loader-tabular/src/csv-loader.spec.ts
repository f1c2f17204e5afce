import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Buffer } from 'node:buffer';
import { ImdadError } from '@imdad/core';
import type { Dataset, LoadOptions } from '@imdad/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CsvLoader } from './csv-loader.js';
import { CsvRecordParser } from './csv-parser.js';

let dir: string;
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'imdad-loader-csv-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes `text` (a string, written as UTF-8, or raw bytes) to a fresh .csv file and returns its path. */
function csv(text: string | Uint8Array, name = `t${++counter}.csv`): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function collect(chunks: AsyncIterable<Dataset>): Promise<Dataset[]> {
  const out: Dataset[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<ImdadError> {
  try {
    await promise;
  } catch (err) {
    expect(ImdadError.is(err, 'input'), `expected an input ImdadError, got ${String(err)}`).toBe(true);
    const error = err as ImdadError;
    expect(error.message).not.toContain('\n');
    return error;
  }
  throw new Error('expected the promise to fail');
}

const f32 = (values: readonly number[]): Float32Array => Float32Array.from(values);

function parseAll(text: string, pieceSize = text.length): { cells: string[]; line: number }[] {
  const records: { cells: string[]; line: number }[] = [];
  const parser = new CsvRecordParser('p.csv', (cells, line) => records.push({ cells, line }));
  for (let i = 0; i < text.length; i += Math.max(1, pieceSize)) parser.write(text.slice(i, i + Math.max(1, pieceSize)));
  parser.end();
  return records;
}

describe(CsvRecordParser, () => {
  describe('.write', () => {
    const text =
      '\uFEFFa,"b,c","say ""hi""",d\r\n' +
      '1,"2\r\nstill 2",3,\r\n' +
      '\r\n' +
      '"",x"y,"z""",w\r' +
      'last,row,no,newline';

    describe('when given a whole text', () => {
      it('should split RFC 4180 records and report the line each starts on', () => {
        expect(parseAll(text)).toEqual([
          { cells: ['a', 'b,c', 'say "hi"', 'd'], line: 1 },
          { cells: ['1', '2\r\nstill 2', '3', ''], line: 2 },
          { cells: ['', 'x"y', 'z"', 'w'], line: 5 },
          { cells: ['last', 'row', 'no', 'newline'], line: 6 },
        ]);
      });
    });

    describe('when the text arrives in pieces of any size', () => {
      it('should give the same records', () => {
        const whole = parseAll(text);
        for (const size of [1, 2, 3, 5, 7, 11]) expect(parseAll(text, size)).toEqual(whole);
      });
    });

    describe('when text follows a closing quote', () => {
      it('should keep it as part of the field', () => {
        expect(parseAll('"ab"c,d\n')).toEqual([{ cells: ['abc', 'd'], line: 1 }]);
      });
    });
  });

  describe('.end', () => {
    describe('when a quoted field is never closed', () => {
      it('should fail naming the file and the line the quote opened on', () => {
        expect(() => parseAll('a,b\n1,"2\n3\n')).toThrow(/^p\.csv: line 2: a quoted field is never closed/);
      });
    });

    describe('when the input ends with a closing quote', () => {
      it('should hand over the last record', () => {
        expect(parseAll('a,"b"')).toEqual([{ cells: ['a', 'b'], line: 1 }]);
      });
    });
  });
});

describe(CsvLoader, () => {
  const loader = new CsvLoader();

  describe('.canLoad', () => {
    it('should accept .csv files only', () => {
      expect(loader.name).toBe('csv');
      expect(loader.canLoad('data/train.csv', false)).toBe(true);
      expect(loader.canLoad('DATA.CSV', false)).toBe(true);
      expect(loader.canLoad('data.tsv', false)).toBe(false);
      expect(loader.canLoad('folder.csv', true)).toBe(false);
    });
  });

  describe('.load', () => {
    describe('when the file has no label column', () => {
      it('should read every column as a feature, without y', async () => {
        const path = csv('a,b,c\n1,2,3\n-4.5,5e-1,.25\n');
        expect(await loader.load(path)).toEqual({
          x: f32([1, 2, 3, -4.5, 0.5, 0.25]),
          n: 2,
          sampleShape: [3],
          featureNames: ['a', 'b', 'c'],
          source: path,
        });
      });
    });

    describe('when the header has a label column', () => {
      it('should take labels from it by default and name the other columns', async () => {
        const path = csv('x1,label,x2\n1,0,2\n3,1,4\n5,0,6\n');
        const data = await loader.load(path);
        expect(data.x).toEqual(f32([1, 2, 3, 4, 5, 6]));
        expect(data.y).toEqual(Uint8Array.of(0, 1, 0));
        expect(data.featureNames).toEqual(['x1', 'x2']);
        expect(data.sampleShape).toEqual([2]);
      });
    });

    describe('when labelColumn is given', () => {
      it('should take labels from that column and keep `label` as a feature', async () => {
        const path = csv('label,target\n7,1\n8,0\n');
        const data = await loader.load(path, { labelColumn: 'target' });
        expect(data.x).toEqual(f32([7, 8]));
        expect(data.y).toEqual(Uint8Array.of(1, 0));
        expect(data.featureNames).toEqual(['label']);
      });

      it('should fail naming the file and the columns when it is not in the header', async () => {
        const path = csv('a,b\n1,2\n', 'unknown-label.csv');
        const error = await rejection(loader.load(path, { labelColumn: 'anomaly' }));
        expect(error.message).toContain(path);
        expect(error.message).toContain('unknown label column "anomaly"');
        expect(error.message).toContain('"a", "b"');
      });
    });

    describe('when fields are quoted', () => {
      it('should read quoted numbers and header names with commas, quotes and line breaks', async () => {
        const path = csv('"a,1","say ""x""","two\nlines",label\n"1.5",2,"3",1\n4,"5","6","0"\n');
        const data = await loader.load(path);
        expect(data.featureNames).toEqual(['a,1', 'say "x"', 'two\nlines']);
        expect(data.x).toEqual(f32([1.5, 2, 3, 4, 5, 6]));
        expect(data.y).toEqual(Uint8Array.of(1, 0));
      });
    });

    describe('when the file uses CRLF, a BOM and no final line break', () => {
      it('should read it like a plain file', async () => {
        const plain = await loader.load(csv('a,label\n1,0\n2,1\n'));
        const bom = Uint8Array.of(0xef, 0xbb, 0xbf, ...new TextEncoder().encode('a,label\r\n1,0\r\n2,1'));
        const windows = await loader.load(csv(bom));
        expect(windows.featureNames).toEqual(['a']);
        expect(windows.x).toEqual(plain.x);
        expect(windows.y).toEqual(plain.y);
      });
    });

    describe('when there are blank lines and spaces around numbers', () => {
      it('should skip the blank lines and read the numbers', async () => {
        const data = await loader.load(csv('a, b\n\n 1 , 2\n\n3,4\n\n\n'));
        expect(data.featureNames).toEqual(['a', 'b']);
        expect(data.x).toEqual(f32([1, 2, 3, 4]));
      });
    });

    describe('when the input is bad', () => {
      const cases: { what: string; text: string; options?: LoadOptions; fragments: string[] }[] = [
        { what: 'the file is empty', text: '', fragments: ['the file is empty'] },
        { what: 'the file holds only a BOM and blank lines', text: '\uFEFF\n\r\n', fragments: ['the file is empty'] },
        { what: 'there is a header but no rows', text: 'a,b,label\n', fragments: ['no data rows after the header (line 1)'] },
        { what: 'a row has too few cells', text: 'a,b\n1,2\n3\n', fragments: ['row 2 (line 3) has 1 cells, but the header has 2 columns'] },
        { what: 'a row has too many cells', text: 'a,b\n1,2,3\n', fragments: ['row 1 (line 2) has 3 cells'] },
        { what: 'a cell is not a number', text: 'a,b\n1,2\n3,abc\n', fragments: ['row 2 (line 3), column 2 "b": "abc" is not a number'] },
        { what: 'a cell is hexadecimal', text: 'a\n0x1F\n', fragments: ['row 1 (line 2), column 1 "a": "0x1F" is not a number'] },
        { what: 'a cell is empty', text: 'a,b\n1,\n', fragments: ['row 1 (line 2), column 2 "b" is empty'] },
        { what: 'a cell is NaN', text: 'a,b\n1,NaN\n', fragments: ['row 1 (line 2), column 2 "b": "NaN" is not allowed; only finite numbers are'] },
        { what: 'a cell is Infinity', text: 'a,b\n-Infinity,1\n', fragments: ['row 1 (line 2), column 1 "a": "-Infinity" is not allowed'] },
        { what: 'a cell is inf', text: 'a,b\n1,inf\n', fragments: ['column 2 "b": "inf" is not allowed'] },
        { what: 'a cell overflows float32', text: 'a\n1e39\n', fragments: ['row 1 (line 2), column 1 "a": "1e39" is out of float32 range'] },
        { what: 'a label is 2', text: 'a,label\n1,0\n2,2\n', fragments: ['row 2 (line 3), column 2 "label": label "2" must be 0 or 1'] },
        { what: 'a label is 0.5', text: 'a,label\n1,0.5\n', fragments: ['row 1 (line 2), column 2 "label": label "0.5" must be 0 or 1'] },
        { what: 'a label is text', text: 'a,label\n1,yes\n', fragments: ['row 1 (line 2), column 2 "label": "yes" is not a number'] },
        { what: 'an explicit label column is unknown', text: 'a\n1\n', options: { labelColumn: 'y' }, fragments: ['unknown label column "y"'] },
        { what: 'only the label column is there', text: 'label\n1\n', fragments: ['the header (line 1) has no feature columns'] },
        { what: 'a quote is never closed', text: 'a,b\n1,"2\n', fragments: ['line 2: a quoted field is never closed'] },
        { what: 'a multi-line quoted cell comes before a bad row', text: '"a\nb",c\n1,2\nx,3\n', fragments: ['row 2 (line 4), column 1'] },
      ];
      for (const { what, text, options, fragments } of cases) {
        describe(`when ${what}`, () => {
          it('should fail with an input error naming the file and where', async () => {
            const path = csv(text);
            const error = await rejection(loader.load(path, options));
            expect(error.message.startsWith(`${path}: `)).toBe(true);
            for (const fragment of fragments) expect(error.message).toContain(fragment);
          });
        });
      }
    });

    describe('when the file does not exist', () => {
      it('should fail naming it', async () => {
        const error = await rejection(loader.load(join(dir, 'missing.csv')));
        expect(error.message).toBe(`cannot read ${join(dir, 'missing.csv')}: no such file`);
      });
    });
  });

  describe('.stream', () => {
    /** A file big enough (about 2.3 MB) to span several 1 MiB reads, with quotes, CRLF and non-ASCII names. */
    const rows = 100_000;
    let bigPath: string;
    beforeAll(() => {
      const lines = ['"feature, one",zwei_ä,label,"drei ""3"""'];
      for (let i = 0; i < rows; i++) {
        const a = ((i * 7919) % 1000) / 8 - 60;
        lines.push(`${a},"${i}",${i % 13 === 0 ? 1 : 0},${(i % 17) * 1e-3}`);
      }
      bigPath = csv(`\uFEFF${lines.join('\r\n')}\r\n`, 'big.csv');
      expect(statSync(bigPath).size).toBeGreaterThan(2 * 1024 * 1024);
    });

    describe('when asked for chunks', () => {
      it('should yield the rows of load in chunks of the requested size', async () => {
        const whole = await loader.load(bigPath);
        expect(whole.n).toBe(rows);
        expect(whole.featureNames).toEqual(['feature, one', 'zwei_ä', 'drei "3"']);
        expect(whole.x.subarray(3, 6)).toEqual(f32([((7919 % 1000) / 8) - 60, 1, 0.001]));

        const chunks = await collect(loader.stream(bigPath, 7000));
        expect(chunks.map((c) => c.n)).toEqual([...new Array<number>(14).fill(7000), 2000]);
        for (const chunk of chunks) {
          expect(chunk.x.length).toBe(chunk.n * 3);
          expect(chunk.y!.length).toBe(chunk.n);
          expect(chunk.featureNames).toEqual(['feature, one', 'zwei_ä', 'drei "3"']);
          expect(chunk.sampleShape).toEqual([3]);
          expect(chunk.source).toBe(bigPath);
        }
        const x = new Float32Array(rows * 3);
        const y = new Uint8Array(rows);
        let row = 0;
        for (const chunk of chunks) {
          x.set(chunk.x, row * 3);
          y.set(chunk.y!, row);
          row += chunk.n;
        }
        // Byte comparisons: toEqual on typed arrays this long is slow.
        expect(Buffer.from(x.buffer).equals(Buffer.from(whole.x.buffer, whole.x.byteOffset, whole.x.byteLength))).toBe(true);
        expect(Buffer.from(y.buffer).equals(Buffer.from(whole.y!.buffer, whole.y!.byteOffset, whole.y!.byteLength))).toBe(true);
        expect(whole.y!.reduce((sum, v) => sum + v, 0)).toBe(Math.ceil(rows / 13));
      });
    });

    describe('when chunkRows is 1', () => {
      it('should yield one row at a time', async () => {
        const chunks = await collect(loader.stream(csv('a,label\n1,1\n2,0\n3,1\n'), 1));
        expect(chunks.map((c) => [Array.from(c.x), Array.from(c.y!)])).toEqual([
          [[1], [1]],
          [[2], [0]],
          [[3], [1]],
        ]);
      });
    });

    describe('when the consumer stops early', () => {
      it('should stop reading without error', async () => {
        let seen = 0;
        for await (const chunk of loader.stream(bigPath, 1000)) {
          seen += chunk.n;
          if (seen >= 3000) break;
        }
        expect(seen).toBe(3000);
      });
    });

    describe('when a bad row comes after good chunks', () => {
      it('should fail naming the row', async () => {
        const path = csv(`a\n${'1\n'.repeat(10)}oops\n`);
        await expect(collect(loader.stream(path, 3))).rejects.toThrow(`${path}: row 11 (line 12), column 1 "a": "oops" is not a number`);
      });
    });

    describe('when chunkRows is not a positive integer', () => {
      it('should fail as a usage error', async () => {
        for (const chunkRows of [0, -1, 1.5, NaN]) {
          await expect(collect(loader.stream(bigPath, chunkRows))).rejects.toSatisfy((e) => ImdadError.is(e, 'usage'));
        }
      });
    });
  });
});
