// Regenerates data/cardio-{train,test}.csv from ADBench's 6_cardio.npz:
// the benchmark protocol's seed-0 split (70/30 stratified, 10 labeled training anomalies).
// Usage: node scripts/make-demo-data.mjs ../../../shared/data/adbench/6_cardio.npz
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { semiSupervisedSplit } from '@imdad/core';
import { NpzLoader } from '@imdad/loader-tabular';

const source = process.argv[2];
if (!source) throw new Error('usage: node scripts/make-demo-data.mjs PATH/6_cardio.npz');
const dataset = await new NpzLoader().load(source);
const { train, test } = semiSupervisedSplit(dataset, 10, 0);
const width = dataset.sampleShape[0];
const header = [...Array.from({ length: width }, (_, j) => `f${j + 1}`), 'label'].join(',');
for (const [name, part] of [['train', train], ['test', test]]) {
  const lines = [header];
  for (let i = 0; i < part.n; i++) {
    const row = Array.from(part.x.subarray(i * width, (i + 1) * width), (v) => Number(v.toPrecision(6)));
    lines.push([...row, part.y[i]].join(','));
  }
  writeFileSync(fileURLToPath(new URL(`../data/cardio-${name}.csv`, import.meta.url)), `${lines.join('\n')}\n`);
}
