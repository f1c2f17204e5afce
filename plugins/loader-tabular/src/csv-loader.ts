import { createReadStream } from 'node:fs';
import { injectable } from 'inversify';
import { ImdadError, type DataLoader, type Dataset, type LoadOptions } from '@imdad/core';
import { checkChunkRows, describeIoError } from '@imdad/core/node';
import { CsvRecordParser } from './csv-parser.js';
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
    const table = new CsvTableReader(path, chunkRows, options);
    try {
      const input = createReadStream(path, { encoding: 'utf8', highWaterMark: READ_BUFFER_BYTES });
      for await (const text of input) {
        table.write(text as string);
        yield* table.take();
      }
    } catch (err) {
      if (ImdadError.is(err)) throw err;
      throw new ImdadError('input', `cannot read ${path}: ${describeIoError(err)}`, { cause: err });
    }
    table.end();
    yield* table.take();
  }
}

/**
 * CSV text, fed in pieces of any size, turned into datasets of at most
 * `chunkRows` rows: the header names the columns, every other record is a row
 * of finite numbers, the label column holds 0 or 1. Bad input fails with an
 * `ImdadError` of kind `input` naming the file, row, line and column.
 */
export class CsvTableReader {
  private readonly parser: CsvRecordParser;
  private layout: Layout | undefined;
  private headerLine = 1;
  private d = 0;
  /** Data rows read so far. */
  private rows = 0;
  private capacity = 0;
  private x = new Float32Array(0);
  private y: Uint8Array | undefined;
  private filled = 0;
  private readonly ready: Dataset[] = [];

  constructor(
    private readonly path: string,
    private readonly chunkRows: number,
    private readonly options?: LoadOptions,
  ) {
    checkChunkRows(chunkRows);
    this.parser = new CsvRecordParser(path, (cells, line) => this.record(cells, line));
  }

  /** Feeds the next piece of CSV text; completed chunks wait in `take()`. */
  write(text: string): void {
    this.parser.write(text);
  }

  /** Ends the input; fails when it held no header or no data rows. */
  end(): void {
    this.parser.end();
    if (!this.layout) fail(`${this.path}: the file is empty; expected a header row and rows of numbers`);
    if (this.rows === 0) fail(`${this.path}: no data rows after the header (line ${this.headerLine})`);
    if (this.filled > 0) {
      this.ready.push(this.finishChunk());
      this.filled = 0;
    }
  }

  /** The datasets completed so far, handed over once. */
  take(): Dataset[] {
    return this.ready.splice(0);
  }

  private record(cells: string[], line: number): void {
    const layout = this.layout;
    if (!layout) {
      this.layout = makeLayout(cells, line, this.path, this.options);
      this.headerLine = line;
      this.d = this.layout.featureIndex.length;
      this.startChunk();
      return;
    }
    this.rows++;
    const where = `${this.path}: row ${this.rows} (line ${line})`;
    if (cells.length !== layout.width) {
      fail(`${where} has ${cells.length} cells, but the header has ${layout.width} columns`);
    }
    if (this.filled === this.capacity) this.grow();
    const { featureIndex, labelIndex, names } = layout;
    const d = this.d;
    const base = this.filled * d;
    for (let j = 0; j < d; j++) {
      const c = featureIndex[j];
      this.x[base + j] = parseCell(cells[c], where, c, names[c]);
    }
    if (this.y) {
      const label = parseCell(cells[labelIndex], where, labelIndex, names[labelIndex]);
      if (label !== 0 && label !== 1) {
        fail(`${where}, column ${labelIndex + 1} ${show(names[labelIndex])}: label ${show(cells[labelIndex])} must be 0 or 1`);
      }
      this.y[this.filled] = label;
    }
    this.filled++;
    if (this.filled === this.chunkRows) {
      this.ready.push(this.finishChunk());
      this.startChunk();
    }
  }

  private startChunk(): void {
    this.capacity = Math.min(this.chunkRows, Math.max(this.capacity, 1024));
    this.x = new Float32Array(this.capacity * this.d);
    this.y = this.layout!.labelIndex >= 0 ? new Uint8Array(this.capacity) : undefined;
    this.filled = 0;
  }

  private grow(): void {
    this.capacity = Math.min(this.chunkRows, this.capacity * 2);
    const bigger = new Float32Array(this.capacity * this.d);
    bigger.set(this.x);
    this.x = bigger;
    if (this.y) {
      const biggerY = new Uint8Array(this.capacity);
      biggerY.set(this.y);
      this.y = biggerY;
    }
  }

  private finishChunk(): Dataset {
    const { filled, capacity, d, x, y } = this;
    const whole = filled === capacity;
    return {
      x: whole ? x : x.slice(0, filled * d),
      n: filled,
      sampleShape: [d],
      ...(y ? { y: whole ? y : y.slice(0, filled) } : {}),
      featureNames: this.layout!.featureNames,
      source: this.path,
    };
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
