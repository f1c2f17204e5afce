import { Detector, loadDataset, saveModel } from '@imdad/core';
import type { TrainArgs } from '../commands/train.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';
import { trainingProgress } from '../progress.js';
import { mergeTrainingConfig } from '../training-config.js';

export async function train(args: TrainArgs): Promise<void> {
  const context = await createContext(args, !args.printConfig);
  const { output, imdad } = context;
  const config = mergeTrainingConfig(context.config, args);
  if (args.printConfig) {
    output.result({ ...config, configFile: context.configFile ?? null }, () => JSON.stringify({ ...config, configFile: context.configFile ?? null }, null, 2));
    return;
  }
  const dataset = await loadDataset(imdad.container, args.data, { labelColumn: config.labelColumn });
  const labeled = dataset.y?.reduce((a, b) => a + b, 0) ?? 0;
  output.log(`training ${config.backbone} + ${config.head} on ${dataset.n} rows (${labeled} labeled anomalies), backend ${context.backend}`);
  const started = performance.now();
  const detector = await Detector.train(imdad.container, dataset, config, {
    onProgress: trainingProgress(args.quiet === true),
    backend: context.backend,
  });
  try {
    await saveModel(detector, args.out);
    const seconds = (performance.now() - started) / 1000;
    const { center, radiusSquared } = detector.sphere();
    const radius = Math.sqrt(Math.max(radiusSquared, 0));
    if (radiusSquared <= 0) output.log(`warning: the sphere is empty (R^2 = ${fmt(radiusSquared)}): every row scores as an anomaly`);
    output.result(
      {
        model: args.out,
        epochs: detector.manifest.training.epochs,
        seconds,
        backend: context.backend,
        center: Array.from(center),
        radius,
        radiusSquared,
      },
      () => `saved ${args.out} (${detector.manifest.training.epochs} epochs, ${fmt(seconds)} s): R = ${fmt(radius)}, R^2 = ${fmt(radiusSquared)}, |c| = ${fmt(Math.hypot(...center))}`,
    );
  } finally {
    detector.dispose();
  }
}
