import {
  ImdadError,
  sampleSize,
  takeRows,
  type Explainer,
  type ExplainableModel,
  type Explanation,
  type ExplanationReport,
  type ExplanationRequest,
  type NearbyRow,
  type RowExplanation,
} from '@imdad/core';
import { injectable } from 'inversify';
import { z } from 'zod';
import { ATTRIBUTION_METHODS, gradientAttributions, integratedGradients } from './attributions.js';
import { decompose, distance, embedAndScore, readSphere, thin, type ModelPass } from './model-pass.js';
import { renderReport } from './report/render-report.js';

/** Options of the default explainer. */
export const defaultExplainerOptionsSchema = z.strictObject({
  /** Input attributions: integrated gradients from a baseline, the plain gradient, or gradient x input. */
  method: z.enum(ATTRIBUTION_METHODS).default('integrated-gradients'),
  /** Integrated gradients: points on the path from the baseline to the row (one batch per row). */
  steps: z.number().int().min(2).max(1024).default(64),
  /** Integrated gradients: start from the model's normal reference row (the default) or from all zeros. */
  baseline: z.enum(['reference', 'zeros']).default('reference'),
  /** Nearest normal rows to report per explained row (0: none). */
  nearest: z.number().int().min(0).max(100).default(3),
});

/** Options of the default explainer, defaults filled in. */
export type DefaultExplainerOptions = z.infer<typeof defaultExplainerOptionsSchema>;

/** Normal rows searched for neighbours at most; more are thinned evenly. */
const MAX_NORMAL_CANDIDATES = 20_000;

/**
 * The default explainer: the model read-out, the score's decomposition over
 * embedding dimensions, input attributions (integrated gradients from the
 * model's normal reference row, gradient, or gradient x input), the margin to
 * the boundary and the nearest normal rows; `report` draws them as one
 * self-contained HTML page.
 */
@injectable()
export class DefaultExplainer implements Explainer<DefaultExplainerOptions> {
  readonly name = 'default';
  readonly description = 'score decomposition, integrated-gradients / gradient / gradient x input attributions, HTML report with pictures';
  readonly optionsSchema = defaultExplainerOptionsSchema;

  async explain(model: ExplainableModel, request: ExplanationRequest, options: DefaultExplainerOptions): Promise<Explanation> {
    checkRequest(model, request);
    const { data, indices } = request;
    const sphere = readSphere(model.head);
    const prepared = model.preprocess(takeRows(data, indices).x);
    const pass = embedAndScore(model, prepared, indices.length);
    const { attributions, baseline } = this.attribute(model, prepared, indices.length, options);
    const neighbours = options.nearest > 0 && request.normalRows?.length ? nearestNormals(model, request, pass, options.nearest) : undefined;
    const width = sampleSize(model.inputShape);
    const d = pass.embeddingDim;
    const rows = indices.map((index, i): RowExplanation => {
      const dimensions = decompose(pass.phi.subarray(i * d, (i + 1) * d), sphere.center);
      const distanceSquared = dimensions.reduce((a, b) => a + b, 0);
      const score = pass.score[i];
      const rowAttributions = Array.from(attributions.subarray(i * width, (i + 1) * width));
      return {
        index,
        score,
        distanceSquared,
        margin: sphere.radius - Math.sqrt(distanceSquared),
        ...(data.y ? { label: data.y[index] } : {}),
        dimensions,
        attributions: rowAttributions,
        ...(baseline ? { completenessError: rowAttributions.reduce((a, b) => a + b, 0) - (score - baseline.score) } : {}),
        ...(neighbours ? { nearestNormals: neighbours[i] } : {}),
      };
    });
    return { explainer: this.name, method: options.method, options: { ...options }, sphere, ...(baseline ? { baseline } : {}), rows };
  }

  async report(model: ExplainableModel, request: ExplanationRequest, explanation: Explanation): Promise<ExplanationReport> {
    checkRequest(model, request);
    return { files: new Map([['index.html', await renderReport(model, request, explanation)]]) };
  }

  /** Attributions of the prepared rows, and for integrated gradients the baseline they start from. */
  private attribute(
    model: ExplainableModel,
    prepared: Float32Array,
    n: number,
    options: DefaultExplainerOptions,
  ): { attributions: Float32Array; baseline?: { kind: string; score: number } } {
    if (options.method !== 'integrated-gradients') {
      return { attributions: gradientAttributions(model, prepared, n, options.method === 'gradient-x-input') };
    }
    const width = sampleSize(model.inputShape);
    const reference = options.baseline === 'reference' ? model.reference : undefined;
    const start = reference ?? new Float32Array(width);
    const attributions = new Float32Array(n * width);
    for (let i = 0; i < n; i++) {
      attributions.set(integratedGradients(model, prepared.subarray(i * width, (i + 1) * width), start, options.steps), i * width);
    }
    return { attributions, baseline: { kind: reference ? 'reference' : 'zeros', score: embedAndScore(model, start, 1).score[0] } };
  }
}

/** Checks that the data fits the model and that every row named exists. */
function checkRequest(model: ExplainableModel, request: ExplanationRequest): void {
  const { data } = request;
  const width = sampleSize(model.inputShape);
  const where = data.source ?? 'the data';
  if (sampleSize(data.sampleShape) !== width || data.x.length !== data.n * width) {
    throw new ImdadError('input', `${where}: rows have ${sampleSize(data.sampleShape)} values, the model expects ${width} ([${model.inputShape.join(', ')}])`);
  }
  if (request.indices.length === 0) throw new ImdadError('usage', 'no rows to explain');
  for (const row of [...request.indices, ...(request.normalRows ?? [])]) {
    if (!Number.isInteger(row) || row < 0 || row >= data.n) {
      throw new ImdadError('usage', `row ${row} does not exist: ${where} has ${data.n} rows, numbered 0 to ${data.n - 1}`);
    }
  }
  if (model.reference && model.reference.length !== width) {
    throw new ImdadError('model', `the model's reference row has ${model.reference.length} values, its input ${width}; the model is damaged`);
  }
}

/** For each explained row, the `k` nearest normal rows (itself excluded) by distance in the embedding. */
function nearestNormals(model: ExplainableModel, request: ExplanationRequest, explained: ModelPass, k: number): NearbyRow[][] {
  const candidates = thin(request.normalRows ?? [], MAX_NORMAL_CANDIDATES);
  const pass = embedAndScore(model, model.preprocess(takeRows(request.data, candidates).x), candidates.length);
  const d = pass.embeddingDim;
  return request.indices.map((index, i) => {
    const phi = explained.phi.subarray(i * d, (i + 1) * d);
    return candidates
      .map((row, j) => ({ index: row, distance: distance(phi, pass.phi.subarray(j * d, (j + 1) * d)) }))
      .filter((near) => near.index !== index)
      .sort((a, b) => a.distance - b.distance)
      .slice(0, k);
  });
}
