/**
 * Fuzz tests of the rc file (`@imdad/cli`'s `loadConfig`): random settings,
 * mutated JSON and YAML text, written to files and loaded as `--config` does;
 * each either loads into a valid configuration or fails with a one-line
 * config error naming the file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BACKEND_NAMES } from '@imdad/core';
import { loadConfig, rcSchema, type RcConfig } from '@imdad/cli';
import { afterAll, describe, expect, it } from 'vitest';
import { between, elapsedMs, mutateText, parseOrRefuseAsync, pick, SeededRandom } from './mutate.js';

const FUZZ_TIMEOUT_MS = 10_000;
const HANG_MS = 1_000;

const KEYS = ['plugins', 'backend', 'seed', 'backbone', 'backboneOptions', 'head', 'headOptions', 'trainer', 'trainerOptions', 'labelColumn'];

/** A random JSON value, nested up to `depth`. */
function randomValue(random: SeededRandom, depth: number): unknown {
  const kinds = depth > 0 ? 9 : 7;
  switch (random.int(kinds)) {
    case 0:
      return null;
    case 1:
      return random.next() < 0.5;
    case 2:
      return random.int(100) - 20;
    case 3:
      return (random.next() - 0.5) * 10 ** between(random, -3, 12);
    case 4:
      return pick(random, ['', 'mlp', 'logistic', 'wasm', 'auto', 'adam', 'label', 'x'.repeat(between(random, 1, 300)), '\u00e9\n\t"']);
    case 5:
      return pick(random, [...BACKEND_NAMES, 'auto']);
    case 6:
      return pick(random, [0, 1, 42, 2 ** 31, -1, 1.5, 1e300]);
    case 7:
      return Array.from({ length: between(random, 0, 3) }, () => randomValue(random, depth - 1));
    default:
      return Object.fromEntries(Array.from({ length: between(random, 0, 3) }, () => [pick(random, [...KEYS, 'epochs', 'sed', '__proto__', 'constructor']), randomValue(random, depth - 1)]));
  }
}

/** A random rc object: mostly known keys with values of the right or the wrong type. */
function randomSettings(random: SeededRandom): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (let k = between(random, 0, 5); k > 0; k--) {
    const key = random.next() < 0.9 ? pick(random, KEYS) : pick(random, ['sed', 'epochs', 'Head', '']);
    settings[key] = randomValue(random, 2);
  }
  return settings;
}

/** YAML for a settings object (flow style for nested values, which is also JSON). */
function toYaml(settings: Record<string, unknown>): string {
  return Object.entries(settings)
    .map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`)
    .join('\n');
}

/** Why a loaded configuration breaks the rc schema's promises, or undefined. */
function configProblem(config: RcConfig): string | undefined {
  if (!rcSchema.safeParse(config).success) return 'it does not satisfy the schema';
  if (!Array.isArray(config.plugins) || config.plugins.some((p) => typeof p !== 'string' || p === '')) return `plugins ${JSON.stringify(config.plugins)}`;
  if (!Number.isInteger(config.seed) || config.seed < 0) return `seed ${config.seed}`;
  if (![...BACKEND_NAMES, 'auto'].includes(config.backend)) return `backend ${config.backend}`;
  for (const key of ['backboneOptions', 'headOptions', 'trainerOptions'] as const) {
    if (typeof config[key] !== 'object' || config[key] === null || Array.isArray(config[key])) return `${key} ${JSON.stringify(config[key])}`;
  }
  return undefined;
}

const TEXT_ALPHABET = ['{', '}', '[', ']', ':', ',', '"', "'", ' ', '\n', '\t', '-', '#', '&', '*', '!', '0', '1', 'seed', 'null', 'true', '\\', '%YAML'];

describe('rc file fuzzing', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'imdad-fuzz-rc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  describe('when --config names JSON and YAML files of random and mutated settings', () => {
    it('should load a valid configuration or fail with a one-line config error naming the file', async () => {
      const random = new SeededRandom(1111);
      let loaded = 0;
      let refused = 0;
      for (let t = 0; t < 2000; t++) {
        const settings = randomSettings(random);
        const yaml = t % 2 === 1;
        let text = yaml ? toYaml(settings) : JSON.stringify(settings, null, random.int(3));
        if (t % 3 === 0) text = mutateText(random, text, TEXT_ALPHABET);
        // Every file has its own name: cosmiconfig caches what it loaded by path.
        const file = path.join(dir, yaml ? `rc-${t}.yaml` : `rc-${t}.json`);
        writeFileSync(file, text);
        const started = performance.now();
        const result = await parseOrRefuseAsync(() => loadConfig(file), text, ['config']).catch((error: unknown) => {
          throw new Error(`${file}: ${String(error)}\n${text}`);
        });
        expect(elapsedMs(started)).toBeLessThan(HANG_MS);
        if (!result) {
          refused++;
          continue;
        }
        loaded++;
        const problem = configProblem(result.config);
        if (problem) expect.fail(`${file} loaded, but ${problem}:\n${text}`);
      }
      expect(loaded).toBeGreaterThan(100);
      expect(refused).toBeGreaterThan(100);
    }, FUZZ_TIMEOUT_MS);

    it('should name the file in every refusal', async () => {
      const random = new SeededRandom(2222);
      for (let t = 0; t < 300; t++) {
        const file = path.join(dir, `named-${t}.json`);
        const text = mutateText(random, JSON.stringify(randomSettings(random)), TEXT_ALPHABET);
        writeFileSync(file, text);
        const error = await loadConfig(file).then(
          () => undefined,
          (e: unknown) => e as Error,
        );
        if (error) expect(error.message, text).toContain(file);
      }
    }, FUZZ_TIMEOUT_MS);
  });
});
