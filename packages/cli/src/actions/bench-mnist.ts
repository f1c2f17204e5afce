import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Encoder, ImdadError, getContribution, oneVsRestSplit } from '@imdad/core';
import { loadDataset } from '@imdad/core/node';
import type { BenchArgs } from '../commands/bench.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';
import { AurocTable, parseIndices, parseList, resultWriter, trainAndEvaluate } from './bench-common.js';

const IDX_IMAGES = /images[-.]idx3-ubyte(\.gz)?$/i;

/**
 * The images `--data` names: a file as it is; in a folder, its IDX images
 * file (the 10,000 `t10k-` digits where the training set lies beside them),
 * else the folder itself (PNG images in one sub-folder per class).
 */
export function imagesSource(data: string): string {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(data).isDirectory();
  } catch {
    throw new ImdadError('input', `${data}: no such file or folder`);
  }
  if (!isDirectory) return data;
  const found = readdirSync(data).filter((f) => IDX_IMAGES.test(f)).sort();
  const chosen = found.length > 1 ? found.filter((f) => f.startsWith('t10k-')) : found;
  if (chosen.length > 1 || (found.length > 1 && chosen.length === 0)) {
    throw new ImdadError('usage', `${data} holds several IDX images files (${found.join(', ')}); pass one of them as --data`);
  }
  return chosen.length === 1 ? path.join(data, chosen[0]) : data;
}

/**
 * `imdad bench --suite mnist`: the one-vs-rest protocol of DESIGN.md section 4
 * per normal class and seed, one JSON line per class, seed and head
 * (`dataset` = `mnist-<class>`), then a summary line per head.
 */
export async function benchMnist(args: BenchArgs): Promise<void> {
  if (!args.data) throw new ImdadError('usage', '--suite mnist needs --data DIR, the folder with t10k-images-idx3-ubyte.gz and its labels file');
  const context = await createContext(args);
  const { output, imdad } = context;
  const seeds = parseIndices('seeds', args.seeds);
  const heads = parseList('heads', args.heads);
  // An unknown backbone fails now, before the digits are read.
  getContribution<Encoder<object>>(imdad.container, Encoder, 'backbone', args.backbone);
  const source = imagesSource(args.data);
  const dataset = await loadDataset(imdad.container, source);
  if (!dataset.classes) throw new ImdadError('input', `${source} has no class ids; put its labels file beside it`);
  const present = [...new Set(dataset.classes)].sort((a, b) => a - b);
  const classes = args.classes ? parseIndices('classes', args.classes) : present;
  const missing = classes.filter((k) => !present.includes(k));
  if (missing.length > 0) throw new ImdadError('usage', `--classes: ${missing.join(', ')} not in ${source} (classes: ${present.join(', ')})`);
  output.log(`MNIST one-vs-rest: ${dataset.n} images from ${source}, classes ${classes.join(',')}, backbone ${args.backbone}, backend ${context.backend}`);

  const emit = resultWriter(output, args.out);
  const aurocs = new AurocTable();
  for (const normalClass of classes) {
    const name = `mnist-${normalClass}`;
    for (const seed of seeds) {
      const split = oneVsRestSplit(dataset, normalClass, seed);
      for (const head of heads) {
        const result = await trainAndEvaluate(context, { dataset: name, head, seed, split }, args);
        aurocs.add(head, name, result.auroc);
        output.log(
          `${name} ${head} seed ${seed}: AUROC ${fmt(result.auroc)} AUPRC ${fmt(result.auprc)} (${fmt(result.trainSeconds)} s, ${fmt(result.epochSeconds)} s/epoch)`,
        );
        await emit({
          dataset: name,
          head,
          seed,
          nla: split.labeledAnomalies,
          anomalyClass: split.anomalyClass,
          auroc: result.auroc,
          auprc: result.auprc,
          f1: result.f1,
          trainSeconds: result.trainSeconds,
          samplesPerSecond: result.samplesPerSecond,
          epochSeconds: result.epochSeconds,
          epochs: result.epochs,
          backbone: args.backbone,
          backend: context.backend,
        });
      }
    }
  }
  for (const line of aurocs.summaries(seeds.length)) await emit({ ...line, backbone: args.backbone });
}
