import { appendFile } from 'node:fs/promises';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  Detector,
  Encoder,
  ImdadError,
  evaluateScores,
  getContribution,
  loadDataset,
  semiSupervisedSplit,
} from '@imdad/core';
import type { BenchArgs } from '../commands/bench.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';
import { mergeTrainingConfig } from '../training-config.js';

/** Parses `0,1,2` into integers, failing on anything else. */
function parseList(flag: string, value: string): string[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new ImdadError('usage', `--${flag} is empty`);
  return items;
}

function suiteFiles(suite: readonly string[], exclude: ReadonlySet<string>): string[] {
  const files: string[] = [];
  for (const entry of suite) {
    let isDir: boolean;
    try {
      isDir = statSync(entry).isDirectory();
    } catch {
      throw new ImdadError('input', `${entry}: no such file or folder`);
    }
    const found = isDir ? readdirSync(entry).filter((f) => f.endsWith('.npz')).sort().map((f) => path.join(entry, f)) : [entry];
    files.push(...found.filter((f) => !exclude.has(path.basename(f, '.npz'))));
  }
  if (files.length === 0) throw new ImdadError('input', `no .npz files in ${suite.join(', ')}`);
  return files;
}

export async function bench(args: BenchArgs): Promise<void> {
  if (args.suite.includes('mnist')) throw new ImdadError('usage', 'the MNIST suite needs the image plugins, which are not built yet');
  const context = await createContext(args);
  const { output, imdad } = context;
  const seeds = parseList('seeds', args.seeds).map((s) => {
    const seed = Number(s);
    if (!Number.isInteger(seed) || seed < 0) throw new ImdadError('usage', `--seeds: "${s}" is not a non-negative integer`);
    return seed;
  });
  const heads = parseList('heads', args.heads);
  if (!(args.nla > 0)) throw new ImdadError('usage', '--nla must be positive');
  const files = suiteFiles(args.suite, new Set(parseList('exclude', args.exclude || ' ').concat()));
  const encoder = getContribution<Encoder<object>>(imdad.container, Encoder, 'backbone', args.backbone);
  const emit = async (line: object): Promise<void> => {
    output.result(line, () => JSON.stringify(line));
    if (args.out) await appendFile(args.out, `${JSON.stringify(line)}\n`);
  };
  const aurocs = new Map<string, Map<string, number[]>>(heads.map((h) => [h, new Map()]));
  for (const file of files) {
    const dataset = await loadDataset(imdad.container, file);
    const name = path.basename(file, '.npz');
    for (const seed of seeds) {
      const split = semiSupervisedSplit(dataset, args.nla, seed);
      for (const head of heads) {
        const spec = mergeTrainingConfig({ ...context.config, seed }, { backbone: args.backbone, head, epochs: args.epochs, batchSize: args.batchSize });
        // Deep SVDD and Deep SAD are defined on bias-free networks (a bias lets them collapse to the center).
        const fixedCenter = head === 'deep-svdd' || head === 'deep-sad';
        const unbiased = { ...spec.backboneOptions, bias: false };
        const backboneOptions = fixedCenter && encoder.optionsSchema.safeParse(unbiased).success ? unbiased : spec.backboneOptions;
        const started = performance.now();
        const detector = await Detector.train(imdad.container, split.train, { ...spec, backboneOptions }, { backend: context.backend });
        const trainSeconds = (performance.now() - started) / 1000;
        const result = evaluateScores(detector.score(split.test.x, split.test.n).score, split.test.y!);
        const samples = detector.manifest.training.epochs * split.train.n;
        detector.dispose();
        aurocs.get(head)!.set(name, [...(aurocs.get(head)!.get(name) ?? []), result.auroc]);
        output.log(`${name} ${head} seed ${seed}: AUROC ${fmt(result.auroc)} AUPRC ${fmt(result.auprc)} (${fmt(trainSeconds)} s)`);
        await emit({ dataset: name, head, seed, nla: args.nla, auroc: result.auroc, auprc: result.auprc, f1: result.f1, trainSeconds, samplesPerSecond: samples / trainSeconds, backend: context.backend });
      }
    }
  }
  for (const [head, perDataset] of aurocs) {
    const means = [...perDataset.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length);
    const meanAuroc = means.reduce((a, b) => a + b, 0) / means.length;
    await emit({ summary: true, head, meanAuroc, datasets: means.length, seeds: seeds.length });
  }
}
