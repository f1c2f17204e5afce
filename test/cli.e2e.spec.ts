/**
 * End-to-end tests of the `imdad` command line (the contract is CLI.md): they run
 * the BUILT CLI (`npm run build` first) as a child process in fresh temporary
 * folders, on the wasm backend unless a test is about backends.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_BIN, REPO_ROOT, runCli, type CliResult, type RunCliOptions } from './helpers/run-cli.js';

const ADBENCH = path.resolve(REPO_ROOT, '../shared/data/adbench');
const CARDIO_NPZ = path.join(ADBENCH, '6_cardio.npz');
const DEMO_TEST_CSV = path.resolve(REPO_ROOT, 'packages/cli/data/cardio-test.csv');
const EPOCHS = '3';

const GLOBAL_FLAGS = ['--config', '--json', '--quiet', '--verbose', '--seed', '--backend'];
const COMMAND_FLAGS: Record<string, string[]> = {
  train: ['--data', '--out', '--backbone', '--head', '--epochs', '--batch-size'],
  score: ['--model', '--data', '--out'],
  evaluate: ['--model', '--data'],
  inspect: ['--model'],
  bench: ['--suite', '--nla', '--seeds', '--heads', '--backbone', '--out'],
  doctor: [],
  plugins: [],
  init: ['--force'],
};

const tempDirs: string[] = [];

/** A fresh, empty working directory, removed after the file. */
function freshDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-e2e-'));
  tempDirs.push(dir);
  return dir;
}

/** Runs the CLI on the wasm backend (unless `env` says otherwise). */
function imdad(args: string[], options: RunCliOptions = {}): Promise<CliResult> {
  return runCli(args, { ...options, env: { IMDAD_BACKEND: 'wasm', ...options.env } });
}

function parseJsonLines(text: string): any[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line));
}

function stderrLines(result: CliResult): string[] {
  return result.stderr.split('\n').filter((line) => line.trim() !== '');
}

/** The CLI.md error style: the exit code, one line on stderr starting `imdad:`, no stack trace. */
function expectOneLineError(result: CliResult, code: number | 'non-zero'): string {
  if (code === 'non-zero') expect(result.code).not.toBe(0);
  else expect(result.code).toBe(code);
  const lines = stderrLines(result);
  expect(lines, `stderr was:\n${result.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(/^imdad: /);
  expect(result.stderr).not.toMatch(/^\s+at .+[(:]/m);
  return lines[0];
}

/** Staging folders or files that an atomic write left behind. */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((name) => /\.tmp-/.test(name));
}

/** Rows and labeled anomalies of the bundled test CSV, read independently of the CLI. */
function demoTestCounts(): { n: number; anomalies: number } {
  const [header, ...rows] = readFileSync(DEMO_TEST_CSV, 'utf8').split('\n').filter((l) => l.trim() !== '');
  const labelIndex = header.split(',').indexOf('label');
  return { n: rows.length, anomalies: rows.filter((row) => Number(row.split(',')[labelIndex]) === 1).length };
}

interface TrainJson {
  model: string;
  epochs: number;
  seconds: number;
  backend: string;
  center: number[];
  radius: number;
  radiusSquared: number;
}

/** One model trained on the bundled demo, shared by the inspect, score and evaluate tests. */
let demoModel: Promise<{ cwd: string; result: CliResult; json: TrainJson }> | undefined;
function trainDemoModel(): Promise<{ cwd: string; result: CliResult; json: TrainJson }> {
  demoModel ??= (async () => {
    const cwd = freshDir();
    const result = await imdad(['train', '--json', '--out', 'model', '--epochs', EPOCHS], { cwd });
    if (result.code !== 0) throw new Error(`imdad train failed (${result.code}): ${result.stderr}`);
    return { cwd, result, json: JSON.parse(result.stdout) as TrainJson };
  })();
  return demoModel;
}

beforeAll(() => {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run npm run build first`);
});

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

describe('imdad --help', () => {
  describe('when asked for the top-level help', () => {
    it('should exit 0 and list every command', async () => {
      const result = await imdad(['--help'], { cwd: freshDir() });
      expect(result.code).toBe(0);
      for (const command of Object.keys(COMMAND_FLAGS)) expect(result.stdout).toMatch(new RegExp(`imdad ${command}\\b`));
    });
  });

  describe.each(Object.entries(COMMAND_FLAGS))('when asked for help on %s', (command, flags) => {
    it('should exit 0 and mention its flags', async () => {
      const result = await imdad([command, '--help'], { cwd: freshDir() });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain(`imdad ${command}`);
      for (const flag of [...GLOBAL_FLAGS, ...flags]) expect(result.stdout).toMatch(new RegExp(`${flag}\\b`));
    });
  });
});

describe('imdad doctor', () => {
  describe('when run with --json', () => {
    it('should print the chosen backend among the available ones, and the versions', async () => {
      const result = await imdad(['doctor', '--json'], { cwd: freshDir() });
      expect(result.code).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(Array.isArray(json.available)).toBe(true);
      expect(json.available).toContain('wasm');
      expect(json.available).toContain(json.backend);
      expect(json.backend).toBe('wasm');
      expect(json.node).toBe(process.versions.node);
      expect(json.tfjs).toMatch(/^\d+\.\d+\.\d+/);
    });
  });
});

describe('imdad plugins', () => {
  describe('when run with --json', () => {
    it('should list the built-in encoder and loader and the core head and trainer', async () => {
      const result = await imdad(['plugins', '--json'], { cwd: freshDir() });
      expect(result.code).toBe(0);
      const plugins = JSON.parse(result.stdout);
      expect(Array.isArray(plugins)).toBe(true);
      expect(plugins).toContainEqual(expect.objectContaining({ name: 'backbone-mlp', kind: 'encoder' }));
      expect(plugins).toContainEqual(expect.objectContaining({ kind: 'loader' }));
      expect(plugins).toContainEqual(expect.objectContaining({ kind: 'head', package: '@imdad/core' }));
      expect(plugins).toContainEqual(expect.objectContaining({ kind: 'trainer', package: '@imdad/core' }));
      for (const plugin of plugins) {
        expect(typeof plugin.name).toBe('string');
        expect(typeof plugin.package).toBe('string');
        expect(['encoder', 'head', 'loader', 'explainer', 'trainer']).toContain(plugin.kind);
      }
    });
  });
});

describe('imdad train', () => {
  describe('when given no --data (the bundled demo) with --out model --epochs 3 --json', () => {
    it('should print the model, epochs, backend and the sphere', async () => {
      const { json } = await trainDemoModel();
      expect(json.model).toBe('model');
      expect(json.epochs).toBe(3);
      expect(json.backend).toBe('wasm');
      expect(json.seconds).toBeGreaterThan(0);
      expect(json.center.length).toBeGreaterThan(0);
      for (const value of json.center) expect(Number.isFinite(value)).toBe(true);
      expect(Number.isFinite(json.radius)).toBe(true);
      expect(Number.isFinite(json.radiusSquared)).toBe(true);
      if (json.radiusSquared > 0) expect(json.radius ** 2).toBeCloseTo(json.radiusSquared, 6);
      else expect(json.radius).toBe(0);
    });

    it('should write manifest.json and weights.bin into the model directory', async () => {
      const { cwd } = await trainDemoModel();
      const files = readdirSync(path.join(cwd, 'model'));
      expect(files).toContain('manifest.json');
      expect(files).toContain('weights.bin');
      expect(() => JSON.parse(readFileSync(path.join(cwd, 'model', 'manifest.json'), 'utf8'))).not.toThrow();
    });

    it('should leave no staging folder behind', async () => {
      const { cwd } = await trainDemoModel();
      expect(leftovers(cwd)).toEqual([]);
      expect(readdirSync(cwd)).toContain('model');
    });
  });

  describe('when trained twice with the same --seed', () => {
    it('should print the same center, and another center for another seed', async () => {
      const cwd = freshDir();
      const run = async (seed: string, out: string): Promise<TrainJson> => {
        const result = await imdad(['train', '--json', '--quiet', '--epochs', EPOCHS, '--seed', seed, '--out', out], { cwd });
        expect(result.code, result.stderr).toBe(0);
        return JSON.parse(result.stdout) as TrainJson;
      };
      const first = await run('7', 'a');
      const second = await run('7', 'b');
      const other = await run('8', 'c');
      expect(second.center).toEqual(first.center);
      expect(second.radiusSquared).toBe(first.radiusSquared);
      expect(other.center).not.toEqual(first.center);
    });
  });

  describe('when --data names a file that does not exist', () => {
    it('should exit 2 naming the file and not create the --out directory', async () => {
      const cwd = freshDir();
      const result = await imdad(['train', '--data', 'missing.csv', '--out', 'newdir', '--epochs', EPOCHS], { cwd });
      expect(expectOneLineError(result, 2)).toContain('missing.csv');
      expect(existsSync(path.join(cwd, 'newdir'))).toBe(false);
      expect(leftovers(cwd)).toEqual([]);
    });
  });

  describe('when --seed is negative', () => {
    it('should exit 2 with a one-line message and write nothing', async () => {
      const cwd = freshDir();
      const result = await imdad(['train', '--seed', '-1', '--out', 'model', '--epochs', EPOCHS], { cwd });
      expect(expectOneLineError(result, 2)).toContain('--seed');
      expect(readdirSync(cwd)).toEqual([]);
    });
  });

  describe('when given an unknown flag', () => {
    it('should exit 2 with one line on stderr before training anything', async () => {
      const cwd = freshDir();
      const result = await imdad(['train', '--frobnicate', '--out', 'model', '--epochs', '1', '--json'], { cwd });
      expect(expectOneLineError(result, 2)).toContain('frobnicate');
      expect(result.stdout).toBe('');
      expect(existsSync(path.join(cwd, 'model'))).toBe(false);
    });
  });

  describe('when --backend tensorflow is asked for and @tensorflow/tfjs-node is not installed', () => {
    it('should fail with a one-line message naming the backend and write no model', async (context) => {
      const cwd = freshDir();
      const env = { IMDAD_BACKEND: undefined };
      const doctor = await imdad(['doctor', '--json'], { cwd, env });
      expect(doctor.code).toBe(0);
      if ((JSON.parse(doctor.stdout).available as string[]).includes('tensorflow')) {
        context.skip('@tensorflow/tfjs-node is installed here');
      }
      const result = await imdad(['train', '--backend', 'tensorflow', '--out', 'model', '--epochs', '1'], { cwd, env });
      expect(expectOneLineError(result, 'non-zero')).toContain('tensorflow');
      expect(existsSync(path.join(cwd, 'model'))).toBe(false);
    });
  });
});

describe('imdad inspect', () => {
  describe('when given the model train saved', () => {
    it('should report the same center and radiusSquared that train printed', async () => {
      const { cwd, json: trained } = await trainDemoModel();
      const result = await imdad(['inspect', '--model', 'model', '--json'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(json.center).toHaveLength(trained.center.length);
      json.center.forEach((value: number, i: number) => expect(Math.abs(value - trained.center[i])).toBeLessThan(1e-5));
      expect(Math.abs(json.radiusSquared - trained.radiusSquared)).toBeLessThan(1e-5);
      expect(Math.abs(json.radius - trained.radius)).toBeLessThan(1e-5);
      expect(json.backbone).toBe('mlp');
      expect(json.head).toBe('logistic');
      expect(json.inputShape).toEqual([21]);
      expect(typeof json.version).toBe('string');
      expect(typeof json.backend).toBe('string');
    });
  });
});

describe('imdad score', () => {
  describe('when scoring the bundled test CSV with --json', () => {
    let lines: any[];
    let trained: TrainJson;
    let cwd: string;

    beforeAll(async () => {
      ({ cwd, json: trained } = await trainDemoModel());
      const result = await imdad(['score', '--model', 'model', '--data', DEMO_TEST_CSV, '--json'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      lines = parseJsonLines(result.stdout);
    });

    it('should print one JSON line per row, in order', () => {
      expect(lines).toHaveLength(demoTestCounts().n);
      lines.forEach((line, i) => {
        expect(Object.keys(line).sort()).toEqual(['anomaly', 'distanceSquared', 'index', 'score']);
        expect(line.index).toBe(i);
        expect(Number.isFinite(line.score)).toBe(true);
        expect(line.distanceSquared).toBeGreaterThanOrEqual(0);
      });
    });

    it('should flag exactly the rows with a positive score', () => {
      for (const line of lines) expect(line.anomaly).toBe(line.score > 0);
      expect(lines.some((line) => line.anomaly)).toBe(true);
      expect(lines.some((line) => !line.anomaly)).toBe(true);
    });

    it('should give score = distanceSquared - R^2 on every row', () => {
      for (const line of lines) expect(Math.abs(line.distanceSquared - line.score - trained.radiusSquared)).toBeLessThan(1e-5);
    });

    it('should give identical scores when run again', async () => {
      const again = await imdad(['score', '--model', 'model', '--data', DEMO_TEST_CSV, '--json'], { cwd });
      expect(again.code).toBe(0);
      expect(parseJsonLines(again.stdout)).toEqual(lines);
    });

    it('should give the same scores when streaming in small chunks', async () => {
      const chunked = await imdad(['score', '--model', 'model', '--data', DEMO_TEST_CSV, '--json', '--chunk-rows', '7'], { cwd });
      expect(chunked.code).toBe(0);
      const rows = parseJsonLines(chunked.stdout);
      expect(rows.map((r) => r.index)).toEqual(lines.map((r) => r.index));
      rows.forEach((row, i) => expect(Math.abs(row.score - lines[i].score)).toBeLessThan(1e-5));
    });

    it('should write the same scores to a CSV with a header and one line per row with --out', async () => {
      const result = await imdad(['score', '--model', 'model', '--data', DEMO_TEST_CSV, '--out', 'scores.csv'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      const [header, ...rows] = readFileSync(path.join(cwd, 'scores.csv'), 'utf8').split('\n').filter((l) => l !== '');
      expect(header.split(',')).toEqual(['index', 'score', 'distanceSquared', 'anomaly']);
      expect(rows).toHaveLength(lines.length);
      rows.forEach((row, i) => {
        const [index, score, distanceSquared, anomaly] = row.split(',');
        expect(Number(index)).toBe(i);
        expect(Number(score)).toBeCloseTo(lines[i].score, 6);
        expect(Number(distanceSquared)).toBeCloseTo(lines[i].distanceSquared, 6);
        expect(anomaly).toBe(String(lines[i].anomaly));
      });
      expect(leftovers(cwd)).toEqual([]);
    });
  });

  describe('when scoring an .npz with a model trained on it', () => {
    it('should print one line per row of the archive', async () => {
      const cwd = freshDir();
      const trained = await imdad(['train', '--data', CARDIO_NPZ, '--out', 'cardio', '--epochs', EPOCHS, '--json', '--quiet'], { cwd });
      expect(trained.code, trained.stderr).toBe(0);
      const { radiusSquared } = JSON.parse(trained.stdout) as TrainJson;
      const scored = await imdad(['score', '--model', 'cardio', '--data', CARDIO_NPZ, '--json'], { cwd });
      expect(scored.code, scored.stderr).toBe(0);
      const lines = parseJsonLines(scored.stdout);
      expect(lines).toHaveLength(1831); // ADBench 6_cardio: 1831 rows, 21 features
      lines.forEach((line, i) => {
        expect(line.index).toBe(i);
        expect(line.anomaly).toBe(line.score > 0);
        expect(Math.abs(line.distanceSquared - line.score - radiusSquared)).toBeLessThan(1e-5);
      });
    });
  });

  describe.each([
    ['names a path that does not exist', false],
    ['names a folder that is not a model', true],
  ])('when --model %s', (_what, create) => {
    it('should exit 2 naming the model', async () => {
      const cwd = freshDir();
      if (create) {
        mkdirSync(path.join(cwd, 'not-a-model'));
        writeFileSync(path.join(cwd, 'not-a-model', 'notes.txt'), 'hello\n');
      }
      const result = await imdad(['score', '--model', 'not-a-model', '--data', DEMO_TEST_CSV], { cwd });
      expect(expectOneLineError(result, 2)).toContain('not-a-model');
      expect(result.stdout).toBe('');
    });
  });
});

describe('imdad evaluate', () => {
  describe('when given the demo model and the default data (the bundled test CSV)', () => {
    it('should print AUROC above chance, AUPRC, F1 and the row and anomaly counts', async () => {
      const { cwd } = await trainDemoModel();
      const result = await imdad(['evaluate', '--model', 'model', '--json'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout);
      const expected = demoTestCounts();
      expect(json.n).toBe(expected.n);
      expect(json.anomalies).toBe(expected.anomalies);
      expect(json.auroc).toBeGreaterThan(0.5);
      expect(json.auroc).toBeLessThanOrEqual(1);
      expect(json.auprc).toBeGreaterThan(expected.anomalies / expected.n);
      expect(json.auprc).toBeLessThanOrEqual(1);
      expect(json.f1).toBeGreaterThanOrEqual(0);
      expect(json.f1).toBeLessThanOrEqual(1);
    });
  });
});

describe('imdad bench', () => {
  describe('when run on 6_cardio.npz with one seed and two heads', () => {
    it('should print a result line per head and then a summary line per head', async () => {
      const cwd = freshDir();
      const result = await imdad(
        ['bench', '--suite', CARDIO_NPZ, '--seeds', '0', '--heads', 'logistic,deep-sad', '--epochs', '2', '--json'],
        { cwd },
      );
      expect(result.code, result.stderr).toBe(0);
      const lines = parseJsonLines(result.stdout);
      const rows = lines.filter((line) => line.summary !== true);
      const summaries = lines.filter((line) => line.summary === true);
      expect(rows).toHaveLength(2);
      expect(summaries).toHaveLength(2);
      expect(lines.slice(2)).toEqual(summaries);
      expect(rows.map((row) => row.head).sort()).toEqual(['deep-sad', 'logistic']);
      for (const row of rows) {
        expect(row).toMatchObject({ dataset: '6_cardio', seed: 0, nla: 10 });
        for (const metric of ['auroc', 'auprc', 'f1']) {
          expect(row[metric]).toBeGreaterThanOrEqual(0);
          expect(row[metric]).toBeLessThanOrEqual(1);
        }
        expect(row.auroc).toBeGreaterThan(0.5);
        expect(row.trainSeconds).toBeGreaterThan(0);
        expect(row.samplesPerSecond).toBeGreaterThan(0);
      }
      for (const summary of summaries) {
        const row = rows.find((r) => r.head === summary.head);
        expect(summary).toMatchObject({ summary: true, datasets: 1 });
        expect(summary.meanAuroc).toBeCloseTo(row.auroc, 10);
      }
    });
  });
});

describe('imdad init', () => {
  describe('when run in an empty folder', () => {
    it('should write imdad.config.mjs and print {written}', async () => {
      const cwd = freshDir();
      const result = await imdad(['init', '--json'], { cwd });
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout);
      expect(path.resolve(cwd, json.written)).toBe(path.join(cwd, 'imdad.config.mjs'));
      expect(readFileSync(path.join(cwd, 'imdad.config.mjs'), 'utf8')).toMatch(/export default/);
      const merged = await imdad(['train', '--print-config', '--json'], { cwd });
      expect(merged.code, merged.stderr).toBe(0);
      expect(path.resolve(cwd, JSON.parse(merged.stdout).configFile)).toBe(path.join(cwd, 'imdad.config.mjs'));
    });
  });

  describe('when the file exists already', () => {
    it('should exit 2 without --force and overwrite it with --force', async () => {
      const cwd = freshDir();
      writeFileSync(path.join(cwd, 'imdad.config.mjs'), 'export default { seed: 3 };\n');
      const refused = await imdad(['init', '--json'], { cwd });
      expect(expectOneLineError(refused, 2)).toContain('--force');
      expect(readFileSync(path.join(cwd, 'imdad.config.mjs'), 'utf8')).toBe('export default { seed: 3 };\n');
      const forced = await imdad(['init', '--json', '--force'], { cwd });
      expect(forced.code, forced.stderr).toBe(0);
      expect(path.resolve(cwd, JSON.parse(forced.stdout).written)).toBe(path.join(cwd, 'imdad.config.mjs'));
      expect(readFileSync(path.join(cwd, 'imdad.config.mjs'), 'utf8')).not.toBe('export default { seed: 3 };\n');
    });
  });
});

describe('imdad configuration', () => {
  describe('when .imdadrc.json sets trainerOptions.epochs', () => {
    it('should show it in train --print-config, and let --epochs win over it', async () => {
      const cwd = freshDir();
      writeFileSync(path.join(cwd, '.imdadrc.json'), JSON.stringify({ trainerOptions: { epochs: 2 } }));
      const fromFile = await imdad(['train', '--print-config', '--json'], { cwd });
      expect(fromFile.code, fromFile.stderr).toBe(0);
      const json = JSON.parse(fromFile.stdout);
      expect(json.trainerOptions.epochs).toBe(2);
      expect(json.configFile).toBe(path.join(cwd, '.imdadrc.json'));
      const fromFlag = await imdad(['train', '--print-config', '--json', '--epochs', '4'], { cwd });
      expect(fromFlag.code, fromFlag.stderr).toBe(0);
      expect(JSON.parse(fromFlag.stdout).trainerOptions.epochs).toBe(4);
      expect(readdirSync(cwd)).toEqual(['.imdadrc.json']);
    });
  });

  describe.each([
    ['an unknown key', { epochz: 1 }, 'epochz'],
    ['a bad backend', { backend: 'gpu' }, 'backend'],
  ])('when .imdadrc.json has %s', (_what, rc, key) => {
    it('should exit 2 with one line naming the key', async () => {
      const cwd = freshDir();
      writeFileSync(path.join(cwd, '.imdadrc.json'), JSON.stringify(rc));
      const result = await imdad(['train', '--print-config', '--json'], { cwd });
      expect(expectOneLineError(result, 2)).toContain(key);
      expect(result.stdout).toBe('');
    });
  });

  describe('when --config names a missing file', () => {
    it('should exit 2 naming the file', async () => {
      const result = await imdad(['train', '--config', 'missing.json', '--print-config', '--json'], { cwd: freshDir() });
      expect(expectOneLineError(result, 2)).toContain('missing.json');
    });
  });

  describe('when the rc file names a plugin that is not installed', () => {
    it('should exit 2 with one line saying it is not installed', async () => {
      const cwd = freshDir();
      writeFileSync(path.join(cwd, '.imdadrc.json'), JSON.stringify({ plugins: ['does-not-exist'] }));
      const result = await imdad(['plugins', '--json'], { cwd });
      const line = expectOneLineError(result, 2);
      expect(line).toContain('does-not-exist');
      expect(line).toContain('not installed');
    });
  });

  describe('when a plugin path names a folder whose index.js throws on import', () => {
    it('should exit 1 with one line saying it failed to load', async () => {
      const cwd = freshDir();
      mkdirSync(path.join(cwd, 'broken-plugin'));
      writeFileSync(path.join(cwd, 'broken-plugin', 'index.js'), "throw new Error('boom on import');\n");
      writeFileSync(path.join(cwd, '.imdadrc.json'), JSON.stringify({ plugins: ['./broken-plugin'] }));
      const result = await imdad(['plugins', '--json'], { cwd });
      const line = expectOneLineError(result, 1);
      expect(line).toContain('failed to load');
      expect(line).toContain('boom on import');
    });
  });

  describe('when a plugin path names a package folder (package.json) whose entry throws on import', () => {
    it('should exit 1 with one line saying it failed to load', async () => {
      const cwd = freshDir();
      mkdirSync(path.join(cwd, 'broken-plugin'));
      writeFileSync(path.join(cwd, 'broken-plugin', 'package.json'), JSON.stringify({ name: 'broken-plugin', type: 'module', main: 'index.js' }));
      writeFileSync(path.join(cwd, 'broken-plugin', 'index.js'), "throw new Error('boom on import');\n");
      writeFileSync(path.join(cwd, '.imdadrc.json'), JSON.stringify({ plugins: ['./broken-plugin'] }));
      const result = await imdad(['plugins', '--json'], { cwd });
      const line = expectOneLineError(result, 1);
      expect(line).toContain('failed to load');
      expect(line).toContain('boom on import');
    });
  });
});

describe('imdad errors', () => {
  describe('when given an unknown command', () => {
    it('should exit 2 with one line on stderr and no stack trace', async () => {
      const result = await imdad(['frobnicate'], { cwd: freshDir() });
      expect(expectOneLineError(result, 2)).toContain('frobnicate');
      expect(result.stdout).toBe('');
    });
  });

  describe('when given no command', () => {
    it('should exit 2 with one line on stderr', async () => {
      const result = await imdad([], { cwd: freshDir() });
      expectOneLineError(result, 2);
    });
  });

  describe('when a command that reads no model is given an unknown flag', () => {
    it('should exit 2 with one line and print no result', async () => {
      const result = await imdad(['doctor', '--frobnicate', '--json'], { cwd: freshDir() });
      expect(expectOneLineError(result, 2)).toContain('frobnicate');
      expect(result.stdout).toBe('');
    });
  });
});
