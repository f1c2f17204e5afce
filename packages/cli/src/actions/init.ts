import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImdadError } from '@imdad/core';
import type { InitArgs } from '../commands/init.js';
import { Output } from '../output.js';

const STARTER = `// imdad configuration: flags on the command line override these values.
// Every key is optional; \`imdad train --print-config\` shows the merged result.
export default {
  // Plugins beyond the built-ins, by name: 'resnet', 'imdad-plugin-foo', '@acme/foo', './my-plugin'.
  plugins: [],
  // Tensor backend: auto tries tensorflow-gpu, tensorflow, wasm, cpu in that order.
  backend: 'auto',
  // Seed for splits, initialisation and mini-batches.
  seed: 0,
  // Encoder (backbone) and its options, e.g. { hiddenUnits: [128, 64], embeddingDim: 32 }.
  backbone: 'mlp',
  backboneOptions: {},
  // Head: logistic (default), sslm, svm, or the baselines deep-sad, deep-svdd.
  head: 'logistic',
  headOptions: {},
  // Trainer options: epochs, batchSize, learningRate, weightDecay, anomalyFraction,
  // pretrainEpochs, validationSplit, patience, unlabeledTrim.
  trainer: 'adam',
  trainerOptions: { epochs: 50, batchSize: 128 },
};
`;

export async function init(args: InitArgs): Promise<void> {
  const file = path.resolve(args.file);
  if (!/\.(mjs|js)$/.test(file)) throw new ImdadError('usage', `--file ${args.file}: the starter is an ES module; name it *.mjs or *.js`);
  if (existsSync(file) && !args.force) throw new ImdadError('usage', `${args.file} exists; pass --force to overwrite it`);
  await writeFile(file, STARTER);
  new Output(args).result({ written: file }, () => `wrote ${file}`);
}
