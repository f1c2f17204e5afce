/**
 * Bad input, everywhere a user hands imdad data or configuration, through the
 * BUILT CLI (`npm run build` first): each case exits 2 with ONE line on stderr
 * naming the file, row or key, and leaves nothing behind (no model folder, no
 * partial --out file, no staging folder). Every case is a row of
 * docs/bad-input.md; `IMDAD_BAD_INPUT_TABLE=FILE` writes that table's rows.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeValues, npy, zip } from '../plugins/loader-tabular/src/testing/numpy-files.js';
import { trainUntilCheckpoint } from './helpers/interrupted-run.js';
import { CLI_BIN, runCli, type CliResult } from './helpers/run-cli.js';

const WASM = { IMDAD_BACKEND: 'wasm' };

const tempDirs: string[] = [];
function freshDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-bad-input-'));
  tempDirs.push(dir);
  return dir;
}

/** A CSV of `rows` rows: features a, b, c and a label column (1 every 20th row unless `labels` says otherwise). */
function csv(rows: number, labels: (i: number) => number = (i) => (i % 20 === 0 ? 1 : 0)): string {
  const lines = ['a,b,c,label'];
  for (let i = 0; i < rows; i++) lines.push(`${(i % 7) / 7},${(i % 5) / 5},${(i % 3) / 3},${labels(i)}`);
  return `${lines.join('\n')}\n`;
}

const npyOf = (values: number[], shape: number[]): Uint8Array => npy({ descr: '<f8', shape, body: encodeValues('<f8', values) });
const matrix = (rows: number, cols: number): number[] => Array.from({ length: rows * cols }, (_, k) => (k % 11) / 11);

/** An IDX images file: magic, big-endian dimensions, pixels. */
function idxImages(count: number, size: number): Uint8Array {
  const header = new DataView(new ArrayBuffer(16));
  header.setUint32(0, 0x00000803);
  [count, size, size].forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const out = new Uint8Array(16 + count * size * size);
  out.set(new Uint8Array(header.buffer));
  out.fill(128, 16);
  return out;
}

/** One row of docs/bad-input.md: what the user hands imdad, and how imdad answers. */
interface BadInput {
  /** The input, as the table and the test name say it. */
  readonly when: string;
  /** Files to write into the working folder before the run. */
  readonly files?: Record<string, string | Uint8Array>;
  /** Anything else to prepare in the working folder (after `files`). */
  readonly prepare?: (cwd: string) => void | Promise<void>;
  readonly args: string[];
  /** Fragments the one stderr line must contain. */
  readonly says: (string | RegExp)[];
  /** Names in the working folder besides the written files, after the run (default: none). */
  readonly leaves?: string[];
}

/** A small trained model every scoring case copies: 3 features a, b, c. */
let modelDir: string;

const CASES: Record<string, BadInput[]> = {
  'imdad train --data F': [
    { when: 'a CSV cell holds NaN', files: { 'd.csv': 'a,b,label\n1,2,0\nNaN,3,0\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'row 2 (line 3)', 'column 1 "a"', '"NaN" is not allowed'] },
    { when: 'a CSV cell holds Infinity', files: { 'd.csv': 'a,b,label\n1,2,0\n4,-Infinity,0\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'row 2 (line 3)', 'column 2 "b"', 'only finite numbers'] },
    { when: 'a CSV row has fewer cells than the header', files: { 'd.csv': 'a,b,label\n1,2,0\n3,0\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'row 2 (line 3) has 2 cells, but the header has 3 columns'] },
    { when: 'a CSV cell is not a number', files: { 'd.csv': 'a,b,label\n1,2,0\n3,abc,0\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'row 2 (line 3)', '"abc" is not a number'] },
    { when: 'the CSV file is empty', files: { 'd.csv': '' }, args: ['--data', 'd.csv'], says: ['d.csv', 'the file is empty'] },
    { when: 'the CSV file has a header and no rows', files: { 'd.csv': 'a,b,label\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'no data rows after the header'] },
    { when: 'the CSV label column holds a value other than 0 or 1', files: { 'd.csv': 'a,b,label\n1,2,0\n3,4,2\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'row 2 (line 3)', '"label"', 'must be 0 or 1'] },
    { when: "the .npz labels y hold a value other than 0 or 1", files: { 'd.npz': zip([{ name: 'X.npy', data: npyOf(matrix(4, 2), [4, 2]) }, { name: 'y.npy', data: npyOf([0, 2, 0, 1], [4]) }]) }, args: ['--data', 'd.npz'], says: ['d.npz', 'y[1] (row 1) is 2'] },
    { when: 'every training row is a labeled anomaly', files: { 'd.csv': 'a,b,label\n1,2,1\n3,4,1\n' }, args: ['--data', 'd.csv'], says: ['d.csv', 'every training row is a labeled anomaly'] },
    { when: 'the .npy file is truncated', files: { 'd.npy': npyOf(matrix(10, 2), [10, 2]).subarray(0, 200) }, args: ['--data', 'd.npy'], says: ['d.npy', 'truncated .npy data'] },
    { when: 'the .npy array holds NaN', files: { 'd.npy': npyOf([1, 2, 3, NaN], [2, 2]) }, args: ['--data', 'd.npy'], says: ['d.npy', 'row 1, column 1', 'NaN'] },
    { when: 'the .npz file is truncated', files: { 'd.npz': zip([{ name: 'X.npy', data: npyOf(matrix(50, 3), [50, 3]) }]).subarray(0, 700) }, args: ['--data', 'd.npz'], says: ['d.npz', 'truncated'] },
    {
      when: 'the .npz file is corrupted (a flipped byte)',
      files: { 'd.npz': (() => { const bytes = zip([{ name: 'X.npy', data: npyOf(matrix(50, 3), [50, 3]) }]); bytes[400] ^= 0xff; return bytes; })() },
      args: ['--data', 'd.npz'],
      says: ['d.npz', "corrupt ZIP entry 'X.npy' (CRC-32 mismatch)"],
    },
    { when: 'the IDX images file is truncated', files: { 'd-images-idx3-ubyte': idxImages(10, 4).subarray(0, 100) }, args: ['--data', 'd-images-idx3-ubyte'], says: ['d-images-idx3-ubyte', 'is truncated: 84 bytes of data', '10 x 4 x 4 = 160'] },
    { when: 'the IDX file has a bad magic number', files: { 'd-images-idx3-ubyte': Uint8Array.from([0x12, 0x34, ...idxImages(2, 4).subarray(2)]) }, args: ['--data', 'd-images-idx3-ubyte'], says: ['d-images-idx3-ubyte', 'bad magic number 0x12340803'] },
    { when: 'the gzipped IDX file is truncated', files: { 'd-images-idx3-ubyte.gz': gzipSync(idxImages(10, 4)).subarray(0, -12) }, args: ['--data', 'd-images-idx3-ubyte.gz'], says: ['d-images-idx3-ubyte.gz', 'damaged gzip data'] },
    {
      when: 'a PNG in the image folder is truncated',
      prepare: (cwd) => {
        mkdirSync(path.join(cwd, 'images'));
        writeFileSync(path.join(cwd, 'images', 'a.png'), Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0]));
      },
      args: ['--data', 'images'],
      says: [`images${path.sep}a.png`, 'not a readable PNG image'],
      leaves: ['images'],
    },
    { when: 'the data file does not exist', args: ['--data', 'missing.csv'], says: ['missing.csv: no such file or folder'] },
    {
      when: '--out is a folder that is not a model',
      prepare: (cwd) => {
        mkdirSync(path.join(cwd, 'notes'));
        writeFileSync(path.join(cwd, 'notes', 'todo.txt'), 'keep me\n');
      },
      files: { 'd.csv': csv(50) },
      args: ['--data', 'd.csv', '--out', 'notes'],
      says: ['notes exists and is not an imdad model directory'],
      leaves: ['notes'],
    },
    { when: '--checkpoint-every is negative', files: { 'd.csv': csv(50) }, args: ['--data', 'd.csv', '--checkpoint-every', '-1'], says: ['--checkpoint-every must be a whole number'] },
  ],
  'the rc file': [
    { when: 'the rc file has an unknown key', files: { '.imdadrc.json': '{"epochz": 3}', 'd.csv': csv(50) }, args: ['--data', 'd.csv'], says: ['.imdadrc.json', 'epochz: unknown key'] },
    { when: 'the rc file has a bad option value', files: { '.imdadrc.json': '{"trainerOptions": {"epochs": -1}}', 'd.csv': csv(50) }, args: ['--data', 'd.csv'], says: ['trainer "adam" options: epochs', '(got -1)'] },
    { when: 'the rc file is not valid JSON', files: { '.imdadrc.json': '{"seed": 1,', 'd.csv': csv(50) }, args: ['--data', 'd.csv'], says: ['.imdadrc.json: invalid JSON'] },
    { when: 'the rc file holds a list, not settings', files: { '.imdadrc.json': '[1, 2]', 'd.csv': csv(50) }, args: ['--data', 'd.csv'], says: ['.imdadrc.json: expected an object of settings'] },
    { when: 'the rc file is YAML with a syntax error', files: { '.imdadrc': 'seed: [1\n', 'd.csv': csv(50) }, args: ['--data', 'd.csv'], says: ['.imdadrc: invalid YAML'] },
  ],
  'imdad train --resume DIR': [
    { when: '--resume names a run with no checkpoint', files: { 'd.csv': csv(50) }, args: ['--resume', 'model'], says: ['model.checkpoint: no checkpoint there', 'nothing to resume'] },
    {
      when: '--resume is given other data than the interrupted run',
      files: { 'd.csv': csv(400), 'other.csv': csv(400, (i) => (i % 10 === 0 ? 1 : 0)) },
      prepare: async (cwd) => {
        await trainUntilCheckpoint(['--data', 'd.csv', '--epochs', '500', '--checkpoint-every', '1', '--quiet'], 'model', { cwd, env: WASM });
      },
      args: ['--resume', 'model', '--data', 'other.csv'],
      says: ['other.csv is not the data the interrupted run trained on'],
      leaves: ['model.checkpoint'],
    },
    {
      when: '--resume is given another --epochs than the interrupted run',
      files: { 'd.csv': csv(400) },
      prepare: async (cwd) => {
        await trainUntilCheckpoint(['--data', 'd.csv', '--epochs', '500', '--checkpoint-every', '1', '--quiet'], 'model', { cwd, env: WASM });
      },
      args: ['--resume', 'model', '--epochs', '20'],
      says: ["--epochs 20 differs from the interrupted run's 500"],
      leaves: ['model.checkpoint'],
    },
    {
      when: 'a fresh run would overwrite the checkpoint of an interrupted one',
      files: { 'd.csv': csv(400) },
      prepare: async (cwd) => {
        await trainUntilCheckpoint(['--data', 'd.csv', '--epochs', '500', '--checkpoint-every', '1', '--quiet'], 'model', { cwd, env: WASM });
      },
      args: ['--data', 'd.csv', '--out', 'model'],
      says: ['model.checkpoint holds the checkpoint of an interrupted run', 'imdad train --resume model'],
      leaves: ['model.checkpoint'],
    },
  ],
  'imdad score / evaluate --model M --data F': [
    { when: 'score: the data has another number of features than the model', files: { 'd.csv': 'a,b,label\n1,2,0\n' }, args: ['score', '--model', 'model', '--data', 'd.csv'], says: ['d.csv has rows of 2 features; the model expects 3 features (a, b, c)'] },
    { when: 'evaluate: the data has another number of features than the model', files: { 'd.csv': 'a,b,label\n1,2,0\n3,4,1\n' }, args: ['evaluate', '--model', 'model', '--data', 'd.csv'], says: ['the model expects 3'] },
    {
      when: 'score --out: a bad row deep in the file (after chunks were written)',
      files: { 'd.csv': `${csv(3000).trimEnd()}\n1,NaN,0,0\n` },
      args: ['score', '--model', 'model', '--data', 'd.csv', '--out', 'scores.csv', '--chunk-rows', '256'],
      says: ['d.csv', 'row 3001 (line 3002)', '"NaN" is not allowed'],
    },
    { when: 'the model folder has no manifest.json', prepare: (cwd) => rmSync(path.join(cwd, 'model', 'manifest.json')), args: ['score', '--model', 'model', '--data', 'd.csv'], files: { 'd.csv': csv(5) }, says: ['model is not a model directory (no manifest.json)'] },
    { when: 'the model folder has no weights.bin', prepare: (cwd) => rmSync(path.join(cwd, 'model', 'weights.bin')), args: ['score', '--model', 'model', '--data', 'd.csv'], files: { 'd.csv': csv(5) }, says: ['model has no weights.bin'] },
    { when: 'weights.bin is cut mid-value', prepare: (cwd) => truncateSync(path.join(cwd, 'model', 'weights.bin'), 1001), args: ['score', '--model', 'model', '--data', 'd.csv'], files: { 'd.csv': csv(5) }, says: [`model${path.sep}weights.bin is truncated (1001 bytes)`] },
    { when: 'weights.bin is shorter than the manifest says', prepare: (cwd) => truncateSync(path.join(cwd, 'model', 'weights.bin'), 1000), args: ['score', '--model', 'model', '--data', 'd.csv'], files: { 'd.csv': csv(5) }, says: ['model: weights.bin holds 250 float32 values, the manifest lists'] },
    {
      when: 'the model is from another format version',
      prepare: (cwd) => editManifest(cwd, (m) => ({ ...m, formatVersion: 2 })),
      args: ['score', '--model', 'model', '--data', 'd.csv'],
      files: { 'd.csv': csv(5) },
      says: ['model has model format 2', 'reads format 1'],
    },
    { when: 'manifest.json is not valid JSON', prepare: (cwd) => truncateSync(path.join(cwd, 'model', 'manifest.json'), 50), args: ['inspect', '--model', 'model'], says: [`model${path.sep}manifest.json is not valid JSON`] },
    {
      when: 'manifest.json lacks a key',
      prepare: (cwd) => editManifest(cwd, ({ inputShape: _, ...rest }) => rest),
      args: ['inspect', '--model', 'model'],
      says: [`model${path.sep}manifest.json: inputShape:`, 'the model directory is damaged'],
    },
  ],
};

function editManifest(cwd: string, edit: (manifest: Record<string, unknown>) => Record<string, unknown>): void {
  const file = path.join(cwd, 'model', 'manifest.json');
  writeFileSync(file, JSON.stringify(edit(JSON.parse(readFileSync(file, 'utf8')))));
}

const tableRows: string[] = [];

beforeAll(async () => {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run npm run build first`);
  const cwd = freshDir();
  writeFileSync(path.join(cwd, 'train.csv'), csv(200));
  const trained = await runCli(['train', '--data', 'train.csv', '--out', 'model', '--epochs', '1', '--quiet'], { cwd, env: WASM });
  if (trained.code !== 0) throw new Error(`training the shared model failed: ${trained.stderr}`);
  modelDir = path.join(cwd, 'model');
});

afterAll(() => {
  if (process.env.IMDAD_BAD_INPUT_TABLE) writeFileSync(process.env.IMDAD_BAD_INPUT_TABLE, `${tableRows.join('\n')}\n`);
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

describe.each(Object.entries(CASES))('%s', (command, cases) => {
  describe.each(cases)('when $when', (badInput) => {
    it('should exit 2 with one line naming what is wrong, and leave nothing behind', async () => {
      const cwd = freshDir();
      const scoring = command.startsWith('imdad score');
      if (scoring) cpSync(modelDir, path.join(cwd, 'model'), { recursive: true });
      for (const [name, content] of Object.entries(badInput.files ?? {})) writeFileSync(path.join(cwd, name), content);
      await badInput.prepare?.(cwd);
      const before = readdirSync(cwd).sort();
      // One epoch, should a check fail to stop training; not for the rc file (flags win over it) or --resume (flags must match the run).
      const args = scoring ? badInput.args : command === 'imdad train --data F' ? ['train', '--epochs', '1', ...badInput.args] : ['train', ...badInput.args];
      const result = await runCli(args, { cwd, env: WASM });

      expect(result.code, result.stderr).toBe(2);
      const lines = stderrLines(result);
      expect(lines, result.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(/^imdad: /);
      expect(result.stderr).not.toMatch(/^\s+at .+[(:]/m);
      for (const fragment of badInput.says) expect(lines[0]).toMatch(typeof fragment === 'string' ? new RegExp(fragment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')) : fragment);
      // Nothing new on disk: no model folder, no partial --out file, no staging or checkpoint folder.
      expect(readdirSync(cwd).sort()).toEqual(before);
      if (badInput.leaves) for (const name of badInput.leaves) expect(before).toContain(name);
      tableRows.push(`| ${badInput.when} | \`imdad ${args.join(' ')}\` | \`${lines[0].replaceAll(`${cwd}${path.sep}`, '')}\` | ${result.code} |`);
    });
  });
});

describe('imdad train --data F', () => {
  describe('when the training data has no labeled anomalies', () => {
    it('should train one-class, warn on stderr, and save a model that scores', async () => {
      const cwd = freshDir();
      writeFileSync(path.join(cwd, 'd.csv'), csv(200, () => 0));
      const result = await runCli(['train', '--data', 'd.csv', '--out', 'model', '--epochs', '2', '--json'], { cwd, env: WASM });
      expect(result.code, result.stderr).toBe(0);
      const warning = stderrLines(result).find((line) => line.startsWith('warning: '));
      expect(warning).toBe('warning: d.csv has no labeled anomalies (no label 1); training one-class: every row counts as normal');
      expect(JSON.parse(result.stdout).epochs).toBe(2);
      const scored = await runCli(['score', '--model', 'model', '--data', 'd.csv', '--json'], { cwd, env: WASM });
      expect(scored.code, scored.stderr).toBe(0);
      expect(scored.stdout.trim().split('\n')).toHaveLength(200);
      tableRows.push(`| the training data has no labeled anomalies (no label 1, or no labels at all) | \`imdad train --data d.csv\` | \`${warning}\` (on stderr; the model is trained one-class) | 0 |`);
    });
  });
});
