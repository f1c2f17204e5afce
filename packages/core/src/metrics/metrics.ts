/** Area under the ROC curve (Mann-Whitney U with tied scores counted half). NaN without both classes. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a] - scores[b]);
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    const averageRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[order[k]] === 1) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = order.length - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** Area under the precision-recall curve as average precision (scikit-learn's definition). */
export function auprc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b] - scores[a]);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  if (positives === 0) return NaN;
  let truePositives = 0;
  let previousRecall = 0;
  let ap = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && scores[order[j + 1]] === scores[order[i]]) j++;
    for (let k = i; k <= j; k++) truePositives += labels[order[k]] === 1 ? 1 : 0;
    const recall = truePositives / positives;
    const precision = truePositives / (j + 1);
    ap += (recall - previousRecall) * precision;
    previousRecall = recall;
    i = j + 1;
  }
  return ap;
}

/** F1 of the decisions `score > threshold` (the model's own threshold is 0: outside the sphere). */
export function f1AtThreshold(scores: ArrayLike<number>, labels: ArrayLike<number>, threshold = 0): number {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < scores.length; i++) {
    const flagged = scores[i] > threshold;
    const anomaly = labels[i] === 1;
    if (flagged && anomaly) tp++;
    else if (flagged) fp++;
    else if (anomaly) fn++;
  }
  return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
}

/** Detection quality of scores against labels, as `evaluateScores` computes it. */
export interface Evaluation {
  /** Area under the ROC curve. */
  readonly auroc: number;
  /** Area under the precision-recall curve. */
  readonly auprc: number;
  /** F1 of the model's own decisions (`score > 0`: outside the sphere). */
  readonly f1: number;
  /** Number of rows scored. */
  readonly n: number;
  /** How many of them are labeled anomalies. */
  readonly anomalies: number;
}

/** AUROC, AUPRC and F1 at the model's threshold for scores of labeled rows. */
export function evaluateScores(scores: ArrayLike<number>, labels: ArrayLike<number>): Evaluation {
  let anomalies = 0;
  for (let i = 0; i < labels.length; i++) anomalies += labels[i] === 1 ? 1 : 0;
  return {
    auroc: auroc(scores, labels),
    auprc: auprc(scores, labels),
    f1: f1AtThreshold(scores, labels),
    n: scores.length,
    anomalies,
  };
}
