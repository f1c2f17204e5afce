import { ImdadError, evaluateScores } from '@imdad/core';
import { loadDataset, loadModel } from '@imdad/core/node';
import type { EvaluateArgs } from '../commands/evaluate.js';
import { loadOptions } from '../data-options.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';

export async function evaluate(args: EvaluateArgs): Promise<void> {
  const { output, imdad } = await createContext(args);
  const detector = await loadModel(imdad.container, args.model);
  try {
    const dataset = await loadDataset(imdad.container, args.data, loadOptions(args, detector.inputShape));
    if (!dataset.y) throw new ImdadError('input', `${args.data} has no labels; evaluate needs a label column (or y in .npz)`);
    const { score } = detector.scoreDataset(dataset);
    const result = evaluateScores(score, dataset.y);
    output.result(result, () => `AUROC ${fmt(result.auroc)}  AUPRC ${fmt(result.auprc)}  F1 ${fmt(result.f1)}  (${result.n} rows, ${result.anomalies} anomalies)`);
  } finally {
    detector.dispose();
  }
}
