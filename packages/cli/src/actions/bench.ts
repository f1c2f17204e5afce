import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Encoder, ImdadError, getContribution, semiSupervisedSplit } from '@imdad/core';
import { loadDataset } from '@imdad/core/node';
import type { BenchArgs } from '../commands/bench.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';
import { AurocTable, parseIndices, parseList, resultWriter, trainAndEvaluate } from './bench-common.js';

/** The .npz files named by `--suite` (folders are expanded), minus the excluded dataset names. */
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

/**
 * `imdad bench --suite DIR|FILE…`: the ADBench semi-supervised protocol of
 * DESIGN.md section 4 on every .npz, one JSON line per dataset, seed and head,
 * then a summary line per head. `--suite mnist` runs the image protocol instead.
 */
export async function bench(args: BenchArgs): Promise<void> {
  if (args.suite.includes('mnist')) return (await import('./bench-mnist.js')).benchMnist(args);
  const context = await createContext(args);
  const { output, imdad } = context;
  const seeds = parseIndices('seeds', args.seeds);
  const heads = parseList('heads', args.heads);
  if (!(args.nla > 0)) throw new ImdadError('usage', '--nla must be positive');
  const files = suiteFiles(args.suite, new Set(args.exclude.split(',').map((s) => s.trim()).filter(Boolean)));
  // An unknown backbone fails now, before any data is read.
  getContribution<Encoder<object>>(imdad.container, Encoder, 'backbone', args.backbone);
  const emit = resultWriter(output, args.out);
  const aurocs = new AurocTable();
  for (const file of files) {
    const dataset = await loadDataset(imdad.container, file);
    const name = path.basename(file, '.npz');
    for (const seed of seeds) {
      const split = semiSupervisedSplit(dataset, args.nla, seed);
      for (const head of heads) {
        const result = await trainAndEvaluate(context, { dataset: name, head, seed, split }, args);
        aurocs.add(head, name, result.auroc);
        output.log(`${name} ${head} seed ${seed}: AUROC ${fmt(result.auroc)} AUPRC ${fmt(result.auprc)} (${fmt(result.trainSeconds)} s)`);
        await emit({
          dataset: name,
          head,
          seed,
          nla: args.nla,
          auroc: result.auroc,
          auprc: result.auprc,
          f1: result.f1,
          trainSeconds: result.trainSeconds,
          samplesPerSecond: result.samplesPerSecond,
          epochSeconds: result.epochSeconds,
          backend: context.backend,
        });
      }
    }
  }
  for (const line of aurocs.summaries(seeds.length)) await emit(line);
}
