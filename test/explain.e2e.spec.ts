/**
 * End-to-end tests of `imdad explain` (CLI.md): a small tabular model trained
 * by the BUILT CLI (`npm run build` first) on the wasm backend, explained, and
 * the report opened in headless Chromium.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, HAS_CHROMIUM, checkPage } from './helpers/browser.js';
import { CLI_BIN, REPO_ROOT, runCli, type CliResult } from './helpers/run-cli.js';

const TRAIN_CSV = path.resolve(REPO_ROOT, 'packages/cli/data/cardio-train.csv');
const TEST_CSV = path.resolve(REPO_ROOT, 'packages/cli/data/cardio-test.csv');
const SCREENSHOT = path.join(os.tmpdir(), 'imdad-explain-report.png');

interface ExplainJson {
  report: string;
  method: string;
  sphere: { center: number[]; radius: number; radiusSquared: number; empty: boolean };
  baseline?: { kind: string; score: number };
  rows: { index: number; score: number; label?: number; dimensions: number[]; attributions: number[]; completenessError?: number }[];
}

let cwd: string;

function imdad(args: string[]): Promise<CliResult> {
  return runCli(args, { cwd, env: { IMDAD_BACKEND: 'wasm' } });
}

function expectOneLineError(result: CliResult, pattern: RegExp): void {
  expect(result.code).toBe(2);
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^imdad: /);
  expect(lines[0]).toMatch(pattern);
}

/** The default explanation (no --rows), shared by the tests below. */
let explained: Promise<{ result: CliResult; json: ExplainJson }> | undefined;
function explainDefault(): Promise<{ result: CliResult; json: ExplainJson }> {
  explained ??= imdad(['explain', '--model', 'model', '--data', TEST_CSV, '--out', 'report', '--json']).then((result) => {
    if (result.code !== 0) throw new Error(`imdad explain failed (${result.code}): ${result.stderr}`);
    return { result, json: JSON.parse(result.stdout) as ExplainJson };
  });
  return explained;
}

beforeAll(async () => {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run npm run build first`);
  cwd = mkdtempSync(path.join(os.tmpdir(), 'imdad-explain-e2e-'));
  const trained = await imdad(['train', '--data', TRAIN_CSV, '--out', 'model', '--epochs', '3', '--quiet']);
  if (trained.code !== 0) throw new Error(`imdad train failed (${trained.code}): ${trained.stderr}`);
});

afterAll(() => {
  if (cwd) rmSync(cwd, { recursive: true, force: true });
});

describe('imdad explain', () => {
  describe('when asked for help', () => {
    it('should list its flags and say which rows it explains by default', async () => {
      const result = await imdad(['explain', '--help']);
      expect(result.code).toBe(0);
      for (const flag of ['--model', '--data', '--rows', '--out', '--method', '--label-column', '--json']) expect(result.stdout).toContain(flag);
      expect(result.stdout.replace(/\s+/g, ' ')).toContain('the 5 highest-scoring and the 2 lowest-scoring rows');
    });
  });

  describe('when run with --json and no --rows', () => {
    it('should explain the 5 highest-scoring rows, then the 2 lowest, as `imdad score` ranks them', async () => {
      const [{ json }, scored] = await Promise.all([explainDefault(), imdad(['score', '--model', 'model', '--data', TEST_CSV, '--json'])]);
      const scores = scored.stdout.trim().split('\n').map((line) => JSON.parse(line) as { index: number; score: number });
      const ranked = [...scores].sort((a, b) => b.score - a.score).map((s) => s.index);
      expect(json.report).toBe(path.join('report', 'index.html'));
      expect(json.rows.map((r) => r.index)).toEqual([...ranked.slice(0, 5), ...ranked.slice(-2).reverse()]);
    });

    it('should print per row the score, its decomposition and one attribution per feature', async () => {
      const { json } = await explainDefault();
      expect(json.method).toBe('integrated-gradients');
      expect(json.baseline?.kind).toBe('reference');
      for (const row of json.rows) {
        expect(row.attributions).toHaveLength(21);
        expect(row.dimensions).toHaveLength(json.sphere.center.length);
        const distanceSquared = row.dimensions.reduce((a, b) => a + b, 0);
        expect(distanceSquared).toBeCloseTo(row.score + json.sphere.radiusSquared, 4);
        const delta = row.score - json.baseline!.score;
        const sum = row.attributions.reduce((a, b) => a + b, 0);
        // 5% of the score's change, or float32 noise where the row scores like the reference.
        expect(Math.abs(sum - delta)).toBeLessThanOrEqual(0.05 * Math.abs(delta) + 1e-3);
        expect(row.label === 0 || row.label === 1).toBe(true);
      }
    });

    it('should write the report folder atomically: index.html and explanation.json, no staging folder', async () => {
      const { json } = await explainDefault();
      expect(readdirSync(path.join(cwd, 'report')).sort()).toEqual(['explanation.json', 'index.html']);
      expect(readdirSync(cwd).filter((name) => name.includes('.tmp-') || name.includes('.old-'))).toEqual([]);
      expect(JSON.parse(readFileSync(path.join(cwd, 'report', 'explanation.json'), 'utf8')).rows).toEqual(json.rows);
    });

    it('should write a self-contained page: inline SVG, no script, no stylesheet or picture from anywhere else', async () => {
      await explainDefault();
      const html = readFileSync(path.join(cwd, 'report', 'index.html'), 'utf8');
      expect(html.match(/<svg/g)!.length).toBeGreaterThanOrEqual(2 + 2 * 7);
      expect(html).not.toMatch(/<script|<link|<iframe|@import|url\(/i);
      expect(html).not.toMatch(/https?:\/\//);
      for (const [, source] of html.matchAll(/\ssrc="([^"]*)"/g)) expect(source).toMatch(/^data:image\/png;base64,/);
      expect(html).toContain('f21');
    });
  });

  describe('when given --rows and --method gradient-x-input', () => {
    it('should explain those rows, in that order, with that method, replacing an earlier report', async () => {
      await explainDefault();
      cpSync(path.join(cwd, 'report'), path.join(cwd, 'again'), { recursive: true });
      writeFileSync(path.join(cwd, 'again', 'stale.txt'), 'from the earlier report');
      const result = await imdad(['explain', '--model', 'model', '--data', TEST_CSV, '--out', 'again', '--rows', '42, 0,7', '--method', 'gradient-x-input', '--json']);
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout) as ExplainJson;
      expect(json.method).toBe('gradient-x-input');
      expect(json.baseline).toBeUndefined();
      expect(json.rows.map((r) => r.index)).toEqual([42, 0, 7]);
      expect(JSON.parse(readFileSync(path.join(cwd, 'again', 'explanation.json'), 'utf8')).method).toBe('gradient-x-input');
      expect(readdirSync(path.join(cwd, 'again')).sort()).toEqual(['explanation.json', 'index.html']);
    });
  });

  describe('when --rows is not a list of row numbers, or names a row the data lacks', () => {
    it('should exit 2 with one line and write nothing', async () => {
      const explain = (rows: string): Promise<CliResult> => imdad(['explain', '--model', 'model', '--data', TEST_CSV, '--out', 'bad', `--rows=${rows}`]);
      const [notNumber, negative, missing] = await Promise.all([explain('1,x'), explain('-1'), explain('3,550')]);
      expectOneLineError(notNumber, /--rows: "x" is not a row number/);
      expectOneLineError(negative, /--rows: "-1" is not a row number/);
      expectOneLineError(missing, /row 550 does not exist; .* has 550 rows/);
      expect(existsSync(path.join(cwd, 'bad'))).toBe(false);
    });
  });

  describe('when --out is a folder that is not a report', () => {
    it('should exit 2 and leave the folder alone', async () => {
      mkdirSync(path.join(cwd, 'mine'));
      writeFileSync(path.join(cwd, 'mine', 'notes.txt'), 'keep me');
      expectOneLineError(await imdad(['explain', '--model', 'model', '--data', TEST_CSV, '--out', 'mine', '--rows', '1']), /mine exists and is not an imdad report folder/);
      expect(readdirSync(path.join(cwd, 'mine'))).toEqual(['notes.txt']);
    });
  });

  describe('when the report is opened in a browser', () => {
    const title = HAS_CHROMIUM ? 'should render every picture at a non-zero size, with no error and no request' : `(skipped: ${CHROMIUM} is absent; CI installs it)`;
    it.skipIf(!HAS_CHROMIUM)(title, async () => {
      await explainDefault();
      const page = await checkPage(path.join(cwd, 'report', 'index.html'), SCREENSHOT);
      expect(page.errors).toEqual([]);
      expect(page.failedRequests).toEqual([]);
      expect(page.requests.filter((url) => !url.startsWith('data:'))).toEqual([]);
      expect(page.pictures.filter((p) => p.tag === 'svg').length).toBeGreaterThanOrEqual(2 + 2 * 7);
      for (const picture of page.pictures) {
        expect(picture.width, picture.tag).toBeGreaterThan(0);
        expect(picture.height, picture.tag).toBeGreaterThan(0);
        expect(picture.decoded, picture.tag).toBe(true);
      }
    });
  });
});
