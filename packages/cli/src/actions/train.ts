import { existsSync } from 'node:fs';
import path from 'node:path';
import { Detector, ImdadError, resolveDetectorSpec, type DetectorSpec, type TrainingCheckpoint } from '@imdad/core';
import { assertModelDirectoryReplaceable, checkpointDirFor, hasCheckpoint, loadDataset, readCheckpoint, removeCheckpoint, saveCheckpoint, saveModel } from '@imdad/core/node';
import type { TrainArgs } from '../commands/train.js';
import { loadOptions } from '../data-options.js';
import { createContext } from '../context.js';
import { DEFAULT_MODEL_DIR, DEMO_TRAIN } from '../demo-data.js';
import { fmt } from '../output.js';
import { trainingProgress } from '../progress.js';
import { mergeTrainingConfig } from '../training-config.js';

/** What one `imdad train` run does: a fresh run, or the continuation of an interrupted one. */
interface TrainingRun {
  readonly spec: DetectorSpec;
  readonly data: string;
  readonly labelColumn?: string;
  readonly out: string;
  readonly resume?: TrainingCheckpoint;
}

/** Flags that change what is trained; under `--resume` they may only repeat the interrupted run's values. */
function resumeConflicts(args: TrainArgs, checkpoint: TrainingCheckpoint): string | undefined {
  const { spec } = checkpoint;
  const given: [string, unknown, unknown][] = [
    ['--backbone', args.backbone, spec.backbone],
    ['--head', args.head, spec.head],
    ['--epochs', args.epochs, spec.trainerOptions.epochs],
    ['--batch-size', args.batchSize, spec.trainerOptions.batchSize],
    ['--learning-rate', args.learningRate, spec.trainerOptions.learningRate],
    ['--seed', args.seed, spec.seed],
  ];
  const conflict = given.find(([, flag, saved]) => flag !== undefined && flag !== saved);
  return conflict && `${conflict[0]} ${String(conflict[1])} differs from the interrupted run's ${String(conflict[2])}`;
}

/** A fresh run from flags and rc file, or, under `--resume DIR`, the run the checkpoint of DIR belongs to. */
async function planRun(args: TrainArgs, spec: DetectorSpec & { labelColumn?: string }): Promise<TrainingRun> {
  if (args.resume === undefined) {
    const out = args.out ?? DEFAULT_MODEL_DIR;
    const checkpointDir = checkpointDirFor(out);
    if (hasCheckpoint(checkpointDir)) {
      throw new ImdadError('usage', `${checkpointDir} holds the checkpoint of an interrupted run; continue it with imdad train --resume ${out}, or delete that folder to start afresh`);
    }
    if (args.checkpointEvery > 0 && existsSync(checkpointDir)) {
      throw new ImdadError('usage', `${checkpointDir} is in the way of this run's checkpoints (it holds no checkpoint); delete or rename it, or train with --checkpoint-every 0`);
    }
    return { spec, data: args.data ?? DEMO_TRAIN, labelColumn: spec.labelColumn, out };
  }
  if (args.out !== undefined && path.resolve(args.out) !== path.resolve(args.resume)) {
    throw new ImdadError('usage', `--out ${args.out} differs from --resume ${args.resume}; a resumed run saves its model where the interrupted one would have`);
  }
  const checkpoint = await readCheckpoint(checkpointDirFor(args.resume));
  const conflict = resumeConflicts(args, checkpoint);
  if (conflict) throw new ImdadError('usage', `${conflict}; --resume continues the run as it was started`);
  const data = args.data ?? checkpoint.data.source;
  if (data === null) throw new ImdadError('usage', `the checkpoint of ${args.resume} does not say where its data came from; give it with --data`);
  return { spec: checkpoint.spec, data, labelColumn: args.labelColumn ?? checkpoint.data.labelColumn ?? undefined, out: args.resume, resume: checkpoint };
}

export async function train(args: TrainArgs): Promise<void> {
  if (!Number.isInteger(args.checkpointEvery) || args.checkpointEvery < 0) {
    throw new ImdadError('usage', `--checkpoint-every must be a whole number of epochs, 0 for none (got ${args.checkpointEvery})`);
  }
  const context = await createContext(args, !args.printConfig);
  const { output, imdad } = context;
  const config = mergeTrainingConfig(context.config, args);
  if (args.printConfig) {
    output.result({ ...config, configFile: context.configFile ?? null }, () => JSON.stringify({ ...config, configFile: context.configFile ?? null }, null, 2));
    return;
  }
  const run = await planRun(args, config);
  resolveDetectorSpec(imdad.container, run.spec); // a bad backbone, head or option fails before any data is read
  await assertModelDirectoryReplaceable(run.out); // so does a bad --out
  const dataset = await loadDataset(imdad.container, run.data, loadOptions(args, undefined, run.labelColumn));
  const labeled = dataset.y?.reduce((a, b) => a + b, 0) ?? 0;
  const checkpointDir = checkpointDirFor(run.out);
  const started = performance.now();
  const detector = await Detector.train(imdad.container, dataset, run.spec, {
    // Logs wait until every check has passed: a refusal stays the one line on stderr.
    onStart: () => {
      if (labeled === 0) {
        // One-class training, not a refusal: .npy files and unlabeled CSVs carry no labels at all (see docs/bad-input.md).
        output.log(`warning: ${run.data} has no labeled anomalies (no label 1); training one-class: every row counts as normal`);
      }
      if (run.resume) {
        output.log(`resuming ${run.out} after epoch ${run.resume.snapshot.epoch} of ${String(run.spec.trainerOptions?.epochs)} (checkpoint ${checkpointDir})`);
      }
      output.log(`training ${run.spec.backbone} + ${run.spec.head} on ${dataset.n} rows (${labeled} labeled anomalies), backend ${context.backend}`);
    },
    onProgress: trainingProgress(args.quiet === true),
    backend: context.backend,
    checkpoint: {
      dir: checkpointDir,
      save: (checkpoint) => saveCheckpoint(checkpointDir, checkpoint),
      every: args.checkpointEvery,
      dataSource: path.resolve(run.data),
      labelColumn: run.labelColumn,
      resume: run.resume,
    },
  });
  try {
    await saveModel(detector, run.out);
    if (run.resume || args.checkpointEvery > 0) await removeCheckpoint(checkpointDir);
    const seconds = (performance.now() - started) / 1000;
    const { center, radiusSquared } = detector.sphere();
    const radius = Math.sqrt(Math.max(radiusSquared, 0));
    if (radiusSquared <= 0) output.log(`warning: the sphere is empty (R^2 = ${fmt(radiusSquared)}): every row scores as an anomaly`);
    output.result(
      {
        model: run.out,
        epochs: detector.manifest.training.epochs,
        seconds,
        backend: context.backend,
        center: Array.from(center),
        radius,
        radiusSquared,
      },
      () => `saved ${run.out} (${detector.manifest.training.epochs} epochs, ${fmt(seconds)} s): R = ${fmt(radius)}, R^2 = ${fmt(radiusSquared)}, |c| = ${fmt(Math.hypot(...center))}`,
    );
  } finally {
    detector.dispose();
  }
}
