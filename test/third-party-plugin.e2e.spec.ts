/**
 * End-to-end test of a third-party plugin: examples/custom-backbone
 * (`imdad-plugin-conv1d`) is installed into a fresh npm project together with
 * `npm pack` tarballs of the BUILT workspace packages (`npm run build` first),
 * as a user installs published packages; then the project's own
 * `node_modules/.bin/imdad` runs with `"plugins": ["conv1d"]` in its rc file.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, type CliResult } from './helpers/run-cli.js';
import { runProcess } from './helpers/run-process.js';
import { installTarballs, packPackages, workspacePackageDirs } from './helpers/third-party-project.js';

const PLUGIN_DIR = path.join(REPO_ROOT, 'examples/custom-backbone');
const WINDOW_LENGTH = 32;
const ROWS = 200;
/** Every SPIKE_EVERY-th window carries a spike and is labeled 1. */
const SPIKE_EVERY = 20;
/** The conv1d defaults, as the saved model records them. */
const DEFAULT_OPTIONS = { filters: 16, kernelSize: 5, embeddingDim: 16 };
/** Packing (5-12 s) and `npm install` (10-30 s from a warm ~/.npm), with room for a cold cache or a busy machine. */
const SETUP_TIMEOUT_MS = 115_000;

let root: string;
let project: string;

/** Sine windows of random phase, frequency and amplitude with a little noise; every 20th has a spike. */
function timeSeriesCsv(): string {
  let state = 7;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const header = [...Array.from({ length: WINDOW_LENGTH }, (_, t) => `t${t}`), 'label'].join(',');
  const rows = Array.from({ length: ROWS }, (_, row) => {
    const phase = 2 * Math.PI * random();
    const period = 12 + 8 * random();
    const amplitude = 0.8 + 0.4 * random();
    const anomaly = row % SPIKE_EVERY === SPIKE_EVERY - 1;
    const spikeAt = Math.floor(random() * WINDOW_LENGTH);
    const values = Array.from({ length: WINDOW_LENGTH }, (_, t) => {
      const value = amplitude * Math.sin((2 * Math.PI * t) / period + phase) + 0.05 * (random() - 0.5);
      return (anomaly && t === spikeAt ? value + 4 : value).toFixed(4);
    });
    return [...values, anomaly ? 1 : 0].join(',');
  });
  return `${[header, ...rows].join('\n')}\n`;
}

/** Runs the project's installed CLI on the wasm backend, from the project folder. */
function imdad(args: string[]): Promise<CliResult> {
  const bin = path.join(project, 'node_modules', '.bin', 'imdad');
  return runProcess(process.execPath, [bin, ...args], { cwd: project, env: { IMDAD_BACKEND: 'wasm' } });
}

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

/** The model trained once with the rc file's conv1d backbone, shared by the score and inspect tests. */
let trained: Promise<CliResult> | undefined;
function trainModel(): Promise<CliResult> {
  trained ??= imdad(['train', '--data', 'windows.csv', '--out', 'model', '--json']).then((result) => {
    if (result.code !== 0) throw new Error(`imdad train failed (${result.code}): ${result.stderr}`);
    return result;
  });
  return trained;
}

beforeAll(async () => {
  const unbuilt = workspacePackageDirs().filter((dir) => !existsSync(path.join(dir, 'dist', 'index.js')));
  if (unbuilt.length > 0) throw new Error(`${unbuilt.join(', ')} not built: run npm run build first`);
  // npm is stopped a little before the hook's timeout, so that its own message is what fails the file.
  const deadline = Date.now() + SETUP_TIMEOUT_MS - 5_000;
  root = mkdtempSync(path.join(os.tmpdir(), 'imdad-third-party-'));
  const packs = path.join(root, 'packs');
  mkdirSync(packs);
  const tarballs = await packPackages([PLUGIN_DIR], packs, deadline);
  project = path.join(root, 'project');
  await installTarballs(project, tarballs, deadline);
  writeFileSync(
    path.join(project, '.imdadrc.json'),
    JSON.stringify({ plugins: ['conv1d'], backbone: 'conv1d', trainerOptions: { epochs: 2 } }, null, 2),
  );
  writeFileSync(path.join(project, 'windows.csv'), timeSeriesCsv());
}, SETUP_TIMEOUT_MS);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('imdad-plugin-conv1d installed from npm', () => {
  describe('imdad plugins', () => {
    describe('when the rc file lists "conv1d"', () => {
      it('should list the conv1d encoder with its package name', async () => {
        const result = await imdad(['plugins', '--json']);
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toContainEqual(
          expect.objectContaining({ name: 'conv1d', kind: 'encoder', package: 'imdad-plugin-conv1d', provides: ['conv1d'] }),
        );
      });
    });
  });

  describe('imdad train', () => {
    describe('when the rc file picks the conv1d backbone and 2 epochs', () => {
      it('should train and save the model', async () => {
        const json = JSON.parse((await trainModel()).stdout);
        expect(json).toMatchObject({ model: 'model', epochs: 2, backend: 'wasm' });
        expect(json.center).toHaveLength(DEFAULT_OPTIONS.embeddingDim);
        expect(Number.isFinite(json.radiusSquared)).toBe(true);
        expect(existsSync(path.join(project, 'model', 'manifest.json'))).toBe(true);
      });
    });

    describe('when backboneOptions.filters is not a number', () => {
      it('should exit 2 with one line naming filters and write no model', async () => {
        writeFileSync(
          path.join(project, 'bad-options.json'),
          JSON.stringify({ plugins: ['conv1d'], backbone: 'conv1d', backboneOptions: { filters: 'many' } }),
        );
        const result = await imdad(['train', '--config', 'bad-options.json', '--data', 'windows.csv', '--out', 'bad-model', '--json']);
        expect(result.code).toBe(2);
        const lines = stderrLines(result);
        expect(lines, `stderr was:\n${result.stderr}`).toHaveLength(1);
        expect(lines[0]).toMatch(/^imdad: .*conv1d.*\bfilters\b/);
        expect(result.stdout).toBe('');
        expect(existsSync(path.join(project, 'bad-model'))).toBe(false);
      });
    });
  });

  describe('imdad score', () => {
    describe('when scoring the training windows with the conv1d model', () => {
      it('should print one finite score per row, in order', async () => {
        await trainModel();
        const result = await imdad(['score', '--model', 'model', '--data', 'windows.csv', '--json']);
        expect(result.code, result.stderr).toBe(0);
        const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
        expect(lines.map((line) => line.index)).toEqual(Array.from({ length: ROWS }, (_, i) => i));
        for (const line of lines) {
          expect(Number.isFinite(line.score)).toBe(true);
          expect(line.anomaly).toBe(line.score > 0);
        }
      });
    });
  });

  describe('imdad inspect', () => {
    describe('when given the conv1d model', () => {
      it('should report the conv1d backbone, its options and the window shape', async () => {
        await trainModel();
        const result = await imdad(['inspect', '--model', 'model', '--json']);
        expect(result.code, result.stderr).toBe(0);
        expect(JSON.parse(result.stdout)).toMatchObject({
          backbone: 'conv1d',
          backboneOptions: DEFAULT_OPTIONS,
          inputShape: [WINDOW_LENGTH],
          embeddingDim: DEFAULT_OPTIONS.embeddingDim,
        });
      });
    });
  });
});
