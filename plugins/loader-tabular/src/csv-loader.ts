import { createReadStream } from 'node:fs';
import { injectable } from 'inversify';
import { ImdadError } from '@imdad/core';
import type { DataLoader, Dataset, LoadOptions } from '@imdad/core';
import { CsvRecordParser } from './csv-parser.js';
import { checkChunkRows, describeIoError } from './io.js';
import { isFiniteFloat32 } from './npy.js';

/** Default name of the 0/1 label column, used when the header has it. */
export const DEFAULT_LABEL_COLUMN = 'label';

/** Rows per chunk when `load` reads the file (the chunks are joined at the end). */
const LOAD_CHUNK_ROWS = 65_536;
const READ_BUFFER_BYTES = 1 << 20;

const NUMBER = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const NOT_FINITE = /^\s*[+-]?(?:nan|inf|infinity)\s*$/i;

interface Layout {
  readonly width: number;
  readonly names: readonly string[];
  readonly labelIndex: number;
  readonly featureIndex: readonly number[];
  readonly featureNames: readonly string[];
}

function fail(message: string): never {
  throw new ImdadError('input', message);
}

/** A cell as it can appear in a one-line message: quoted, escaped, shortened. */
function show(cell: string): string {
  return JSON.stringify(cell.length > 40 ? `${cell.slice(0, 37)}...` : cell);
}

function makeLayout(header: string[], line: number, path: string, options: LoadOptions | undefined): Layout {
  const where = `${path}: the header (line ${line})`;
  const names = header.map((name) => name.trim());
  const wanted = options?.labelColumn;
  let labelIndex = -1;
  if (wanted !== undefined) {
    labelIndex = names.indexOf(wanted.trim());
    if (labelIndex < 0) {
      fail(`${path}: unknown label column ${show(wanted)}; the header (line ${line}) has: ${names.map(show).join(', ')}`);
    }
  } else {
    labelIndex = names.indexOf(DEFAULT_LABEL_COLUMN);
  }
  if (labelIndex >= 0 && names.indexOf(names[labelIndex], labelIndex + 1) >= 0) {
    fail(`${where} names the label column ${show(names[labelIndex])} twice`);
  }
  const featureIndex = names.map((_, i) => i).filter((i) => i !== labelIndex);
  if (featureIndex.length === 0) fail(`${where} has no feature columns, only the label column`);
  return {
    width: names.length,
    names,
    labelIndex,
    featureIndex,
    featureNames: featureIndex.map((i) => names[i]),
  };
}

/**
 * Reads CSV files of numbers with a header row. The label column (option
 * `labelColumn`, else `label` when the header has one) must hold 0 or 1; every
 * other column is a feature, named by the header.
 */
@injectable()
export class CsvLoader implements DataLoader {
  readonly name = 'csv';
  readonly description = "CSV with a header row and numeric columns; 0/1 labels from the 'label' column or the one named by labelColumn";

  canLoad(path: string, isDirectory: boolean): boolean {
    return !isDirectory && path.toLowerCase().endsWith('.csv');
  }

  async load(path: string, options?: LoadOptions): Promise<Dataset> {
    const chunks: Dataset[] = [];
    for await (const chunk of this.stream(path, LOAD_CHUNK_ROWS, options)) chunks.push(chunk);
    if (chunks.length === 1) return chunks[0];
    const first = chunks[0];
    const d = first.sampleShape[0];
    const n = chunks.reduce((sum, chunk) => sum + chunk.n, 0);
    const x = new Float32Array(n * d);
    const y = first.y ? new Uint8Array(n) : undefined;
    let row = 0;
    for (const chunk of chunks) {
      x.set(chunk.x, row * d);
      if (y && chunk.y) y.set(chunk.y, row);
      row += chunk.n;
    }
    return { ...first, x, n, ...(y ? { y } : {}) };
  }

  /** Reads the file as a stream and yields datasets of at most `chunkRows` rows; memory stays bounded. */
  async *stream(path: string, chunkRows: number, options?: LoadOptions): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    let layout: Layout | undefined;
    let headerLine = 1;
    let d = 0;
    let rows = 0; // data rows read so far
    let capacity = 0;
    let x = new Float32Array(0);
    let y: Uint8Array | undefined;
    let filled = 0;
    const ready: Dataset[] = [];

    const startChunk = (): void => {
      capacity = Math.min(chunkRows, Math.max(capacity, 1024));
      x = new Float32Array(capacity * d);
      y = layout!.labelIndex >= 0 ? new Uint8Array(capacity) : undefined;
      filled = 0;
    };
    const grow = (): void => {
      capacity = Math.min(chunkRows, capacity * 2);
      const bigger = new Float32Array(capacity * d);
      bigger.set(x);
      x = bigger;
      if (y) {
        const biggerY = new Uint8Array(capacity);
        biggerY.set(y);
        y = biggerY;
      }
    };
    const finishChunk = (): Dataset => {
      const whole = filled === capacity;
      return {
        x: whole ? x : x.slice(0, filled * d),
        n: filled,
        sampleShape: [d],
        ...(y ? { y: whole ? y : y.slice(0, filled) } : {}),
        featureNames: layout!.featureNames,
        source: path,
      };
    };

    const parser = new CsvRecordParser(path, (cells, line) => {
      if (!layout) {
        layout = makeLayout(cells, line, path, options);
        headerLine = line;
        d = layout.featureIndex.length;
        startChunk();
        return;
      }
      rows++;
      const where = `${path}: row ${rows} (line ${line})`;
      if (cells.length !== layout.width) {
        fail(`${where} has ${cells.length} cells, but the header has ${layout.width} columns`);
      }
      if (filled === capacity) grow();
      const { featureIndex, labelIndex, names } = layout;
      const base = filled * d;
      for (let j = 0; j < d; j++) {
        const c = featureIndex[j];
        x[base + j] = parseCell(cells[c], where, c, names[c]);
      }
      if (y) {
        const label = parseCell(cells[labelIndex], where, labelIndex, names[labelIndex]);
        if (label !== 0 && label !== 1) {
          fail(`${where}, column ${labelIndex + 1} ${show(names[labelIndex])}: label ${show(cells[labelIndex])} must be 0 or 1`);
        }
        y[filled] = label;
      }
      filled++;
      if (filled === chunkRows) {
        ready.push(finishChunk());
        startChunk();
      }
    });

    try {
      const input = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_BUFFER_BYTES });
      for await (const text of input) {
        parser.write(text as string);
        while (ready.length > 0) yield ready.shift()!;
      }
    } catch (err) {
      if (ImdadError.is(err)) throw err;
      throw new ImdadError('input', `cannot read ${path}: ${describeIoError(err)}`, { cause: err });
    }
    parser.end();
    if (!layout) fail(`${path}: the file is empty; expected a header row and rows of numbers`);
    if (rows === 0) fail(`${path}: no data rows after the header (line ${headerLine})`);
    while (ready.length > 0) yield ready.shift()!;
    if (filled > 0) yield finishChunk();
  }
}

function parseCell(cell: string, where: string, column: number, name: string): number {
  if (NUMBER.test(cell)) {
    const value = Number(cell);
    if (isFiniteFloat32(value)) return value;
    fail(`${where}, column ${column + 1} ${show(name)}: ${show(cell)} is out of float32 range`);
  }
  const at = `${where}, column ${column + 1} ${show(name)}`;
  if (cell.trim() === '') fail(`${at} is empty; every cell must hold a number`);
  if (NOT_FINITE.test(cell)) fail(`${at}: ${show(cell)} is not allowed; only finite numbers are`);
  return fail(`${at}: ${show(cell)} is not a number`);
}
