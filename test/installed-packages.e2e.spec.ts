/**
 * imdad as users install it: `npm pack` tarballs of the BUILT workspace
 * packages (`npm run build` first) and of examples/custom-backbone
 * (`imdad-plugin-conv1d`) are installed into a fresh npm project. Then the
 * project's own `node_modules/.bin/imdad` runs with `"plugins": ["conv1d"]` in
 * its rc file, and Node scripts and a TypeScript file use the `imdad` library.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Runs an ES module script with the project's Node, from the project folder; its stdout is one JSON object. */
async function runScript(source: string): Promise<Record<string, unknown>> {
  const result = await runProcess(process.execPath, ['--input-type=module', '-e', source], { cwd: project, env: { IMDAD_BACKEND: 'wasm' } });
  if (result.code !== 0) throw new Error(`node -e failed (${result.code}):\n${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

describe('the imdad library installed from npm', () => {
  describe('when a script imports Detector from "imdad" and fits on arrays', () => {
    it('should train, score, save and reload with identical scores, and the CLI should read the saved model', async () => {
      const out = await runScript(`
        import { readFileSync } from 'node:fs';
        import { Detector } from 'imdad';
        const lines = readFileSync('windows.csv', 'utf8').trim().split('\\n').slice(1).map((l) => l.split(',').map(Number));
        const x = lines.map((row) => row.slice(0, -1));
        const y = lines.map((row) => row[row.length - 1]);
        const detector = await Detector.create({ seed: 1, trainerOptions: { epochs: 3 } });
        await detector.fit(x, y);
        const scores = detector.score(x);
        await detector.save('lib-model');
        const reloaded = await Detector.load('lib-model');
        const again = reloaded.score(x);
        console.log(JSON.stringify({ scores: Array.from(scores), identical: scores.every((s, i) => s === again[i]), radius: reloaded.radius, backend: detector.backend }));
      `);
      expect(out).toMatchObject({ identical: true, backend: 'wasm' });
      expect(out.scores).toHaveLength(ROWS);
      expect(Number.isFinite(out.radius)).toBe(true);
      const cli = await imdad(['score', '--model', 'lib-model', '--data', 'windows.csv', '--json']);
      expect(cli.code, cli.stderr).toBe(0);
      const cliScores = cli.stdout.trim().split('\n').map((line) => (JSON.parse(line) as { score: number }).score);
      cliScores.forEach((score, i) => expect(score).toBeCloseTo((out.scores as number[])[i], 5));
    });
  });

  describe('when a script names the third-party plugin', () => {
    it('should resolve "conv1d" from the project, fit it through readData and explain a row', async () => {
      const out = await runScript(`
        import { Detector, readData } from 'imdad';
        const { x, y } = await readData('windows.csv');
        const detector = await Detector.create({ plugins: ['conv1d'], backbone: 'conv1d', trainerOptions: { epochs: 2 } });
        await detector.fit(x, y);
        const explanation = await detector.explain(x, { rows: [19], method: 'gradient', nearest: 0 });
        console.log(JSON.stringify({ backbone: detector.manifest.encoder.name, attributions: explanation.rows[0].attributions.length }));
      `);
      expect(out).toEqual({ backbone: 'conv1d', attributions: WINDOW_LENGTH });
    });
  });

  describe('when a TypeScript file uses the API', () => {
    it('should type-check against the installed declarations, and reject a wrong call', async () => {
      writeFileSync(
        path.join(project, 'app.ts'),
        [
          "import { Detector, ImdadError, type TrainingProgress } from 'imdad';",
          "import { Detector as NodeDetector, readData } from 'imdad/node';",
          'const detector: Detector = await Detector.create({ backbone: "mlp", headOptions: {}, seed: 3 });',
          'await detector.fit([[0, 1], [1, 0]], [0, 1], { onProgress: (p: TrainingProgress) => p.loss });',
          'const scores: Float32Array = detector.score({ data: new Float32Array(4), shape: [2, 2] });',
          'const flagged: boolean[] = detector.predict([[0, 1]]);',
          'const center: Float32Array = detector.center;',
          'const same: typeof NodeDetector = Detector;',
          'const data = await readData("windows.csv");',
          '// @ts-expect-error: scores are for rows, not strings',
          'detector.score("windows.csv");',
          'export { scores, flagged, center, same, data, ImdadError };',
        ].join('\n'),
      );
      writeFileSync(
        path.join(project, 'tsconfig.json'),
        JSON.stringify({ compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', skipLibCheck: true, types: [] }, files: ['app.ts'] }),
      );
      const tsc = path.join(REPO_ROOT, 'node_modules/typescript/bin/tsc');
      const result = await runProcess(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: project });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      const installed = JSON.parse(readFileSync(path.join(project, 'node_modules/imdad/package.json'), 'utf8')) as { exports: Record<string, unknown> };
      expect(Object.keys(installed.exports)).toEqual(expect.arrayContaining(['.', './node', './browser']));
    });
  });

  describe('every installed imdad package', () => {
    it('should have an exports map whose every target, declarations included, is in the tarball', () => {
      const targets = (entry: unknown): string[] =>
        typeof entry === 'string' ? [entry] : entry && typeof entry === 'object' ? Object.values(entry).flatMap(targets) : [];
      for (const dir of workspacePackageDirs()) {
        const name = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name: string }).name;
        const installedDir = path.join(project, 'node_modules', name);
        const pkg = JSON.parse(readFileSync(path.join(installedDir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
        expect(pkg.exports, name).toBeDefined();
        const files = targets(pkg.exports);
        expect(files.some((file) => file.endsWith('.d.ts')), `${name} exports no type declarations`).toBe(true);
        for (const file of files) expect(existsSync(path.join(installedDir, file)), `${name}: ${file}`).toBe(true);
      }
    });
  });
});
