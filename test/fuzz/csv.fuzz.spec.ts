/**
 * Fuzz tests of the CSV reader (`@imdad/loader-tabular`): random valid tables
 * read back exactly, whatever the piece and chunk sizes; mutated tables and
 * random text either fail with a one-line input error or give consistent rows.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Dataset, LoadOptions } from '@imdad/core';
import { CsvLoader, CsvTableReader } from '@imdad/loader-tabular';
import { afterAll, describe, expect, it } from 'vitest';
import { between, elapsedMs, inconsistency, mutateBytes, mutateText, parseOrRefuse, parseOrRefuseAsync, pick, SeededRandom } from './mutate.js';

const FUZZ_TIMEOUT_MS = 10_000;
/** One input must never take this long: a parser that does is hanging. */
const HANG_MS = 1_000;

interface Table {
  readonly text: string;
  readonly options: LoadOptions;
  readonly names: string[];
  /** Feature values row by row, as numbers before float32 rounding. */
  readonly rows: number[][];
  readonly labels?: number[];
}

/** A number as a CSV cell in one of the many ways people write numbers, and the value the cell holds. */
function cell(random: SeededRandom, value: number): { text: string; value: number } {
  const text = pick(random, [
    () => String(value),
    () => value.toExponential(between(random, 0, 8)),
    () => value.toFixed(between(random, 0, 6)),
    () => (value >= 0 ? `+${value}` : String(value)),
  ])();
  const padded = random.next() < 0.1 ? ` ${text} ` : text;
  return { text: random.next() < 0.15 ? `"${padded}"` : padded, value: Number(text) };
}

/** A random valid CSV table with a header, features and (maybe) a 0/1 label column. */
function randomTable(random: SeededRandom): Table {
  const features = between(random, 1, 6);
  const rowCount = between(random, 1, 40);
  const hasLabel = random.next() < 0.6;
  const customLabel = hasLabel && random.next() < 0.4;
  const labelName = customLabel ? `is,"odd"${random.int(9)}` : 'label';
  const names = Array.from({ length: features }, (_, j) => pick(random, [`f${j}`, `feature ${j}`, `x,${j}`, `q"${j}`]));
  const labelAt = random.int(features + 1);
  const header = [...names];
  if (hasLabel) header.splice(labelAt, 0, labelName);
  const quote = (name: string): string => (/[",\n\r]/.test(name) || random.next() < 0.2 ? `"${name.replace(/"/g, '""')}"` : name);
  const newline = pick(random, ['\n', '\r\n', '\r']);
  const lines = [header.map(quote).join(',')];
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < rowCount; i++) {
    const written = Array.from({ length: features }, () =>
      cell(random, pick(random, [() => random.int(1000) - 500, () => (random.next() - 0.5) * 10 ** between(random, -6, 30), () => 0])()),
    );
    const label = random.int(2);
    rows.push(written.map((c) => c.value));
    labels.push(label);
    const cells = written.map((c) => c.text);
    if (hasLabel) cells.splice(labelAt, 0, random.next() < 0.2 ? `${label}.0` : String(label));
    lines.push(cells.join(','));
    if (random.next() < 0.05) lines.push(''); // empty lines are skipped
  }
  const bom = random.next() < 0.1 ? '\uFEFF' : '';
  const text = bom + lines.join(newline) + (random.next() < 0.7 ? newline : '');
  return { text, options: customLabel ? { labelColumn: labelName } : {}, names, rows, labels: hasLabel ? labels : undefined };
}

/** Reads `text` through the in-memory reader, fed in random pieces, in chunks of `chunkRows`. */
function readText(random: SeededRandom, text: string, options: LoadOptions, chunkRows: number): Dataset[] {
  const reader = new CsvTableReader('fuzz.csv', chunkRows, options);
  const chunks: Dataset[] = [];
  for (let i = 0; i < text.length; ) {
    const size = random.next() < 0.3 ? 1 : between(random, 1, 64);
    reader.write(text.slice(i, i + size));
    chunks.push(...reader.take());
    i += size;
  }
  reader.end();
  chunks.push(...reader.take());
  return chunks;
}

function joined(chunks: Dataset[]): { x: number[]; y?: number[]; n: number } {
  return {
    x: chunks.flatMap((c) => Array.from(c.x)),
    y: chunks[0]?.y ? chunks.flatMap((c) => Array.from(c.y!)) : undefined,
    n: chunks.reduce((sum, c) => sum + c.n, 0),
  };
}

/** Every chunk is consistent, of at most `chunkRows` rows, and all but the last are full. */
function chunkProblem(chunks: Dataset[], chunkRows: number): string | undefined {
  for (const [i, chunk] of chunks.entries()) {
    const problem = inconsistency(chunk);
    if (problem) return `chunk ${i}: ${problem}`;
    if (chunk.n > chunkRows || (i < chunks.length - 1 && chunk.n !== chunkRows)) return `chunk ${i} has ${chunk.n} rows (chunkRows ${chunkRows})`;
  }
  return chunks.length === 0 ? 'no chunks' : undefined;
}

const ALPHABET = [',', '"', '\n', '\r', ' ', '0', '1', '2', '-', '+', '.', 'e', 'E', 'a', 'NaN', 'inf', 'label', '""', '\uFEFF', '\u0000', '1e39', '0x1'];

describe('CSV reader fuzzing', () => {
  describe('when given random valid tables in random pieces and chunk sizes', () => {
    it('should read every value and label exactly', () => {
      const random = new SeededRandom(101);
      for (let t = 0; t < 1500; t++) {
        const table = randomTable(random);
        const chunkRows = between(random, 1, 50);
        const chunks = readText(random, table.text, table.options, chunkRows);
        const problem = chunkProblem(chunks, chunkRows);
        if (problem) expect.fail(`table ${t}: ${problem}\n${table.text}`);
        const { x, y, n } = joined(chunks);
        expect(n, table.text).toBe(table.rows.length);
        expect(x, table.text).toEqual(table.rows.flat().map((v) => Math.fround(v)));
        expect(y, table.text).toEqual(table.labels);
        expect(chunks[0].featureNames).toEqual(table.names);
      }
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when given mutated tables and random text', () => {
    it('should fail with a one-line input error or give consistent rows, never hang', () => {
      const random = new SeededRandom(202);
      let accepted = 0;
      for (let t = 0; t < 3000; t++) {
        const table = randomTable(random);
        const text =
          t % 3 === 2
            ? Array.from({ length: between(random, 0, 60) }, () => pick(random, ALPHABET)).join('')
            : mutateText(random, table.text, ALPHABET);
        const chunkRows = between(random, 1, 50);
        const started = performance.now();
        const chunks = parseOrRefuse(() => readText(random, text, table.options, chunkRows), text);
        expect(elapsedMs(started), JSON.stringify(text)).toBeLessThan(HANG_MS);
        if (!chunks) continue;
        accepted++;
        const problem = chunkProblem(chunks, chunkRows);
        if (problem) expect.fail(`${problem} for ${JSON.stringify(text)}`);
      }
      expect(accepted).toBeGreaterThan(100); // the mutations must not all be rejected: valid variants get checked too
    }, FUZZ_TIMEOUT_MS);
  });

  describe('when files of mutated bytes are loaded from disk', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-fuzz-csv-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('should fail with a one-line input error or give the rows the in-memory reader gives', async () => {
      const random = new SeededRandom(303);
      const loader = new CsvLoader();
      for (let t = 0; t < 150; t++) {
        const table = randomTable(random);
        const bytes = mutateBytes(random, Buffer.from(table.text, 'utf8'));
        const file = path.join(dir, `f${t}.csv`);
        writeFileSync(file, bytes);
        const fromDisk = await parseOrRefuseAsync(() => loader.load(file, table.options), bytes);
        const inMemory = parseOrRefuse(() => readText(random, Buffer.from(bytes).toString('utf8'), table.options, 1 << 16), bytes);
        expect(fromDisk === undefined, `disk and memory disagree on ${file}`).toBe(inMemory === undefined);
        if (!fromDisk || !inMemory) continue;
        expect(inconsistency(fromDisk)).toBeUndefined();
        expect(Array.from(fromDisk.x)).toEqual(joined(inMemory).x);
      }
    }, FUZZ_TIMEOUT_MS);
  });
});
