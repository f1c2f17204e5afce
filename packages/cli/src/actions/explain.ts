import path from 'node:path';
import { Explainer, ImdadError, getContribution, parseOptions, type Explanation, type ExplanationReport } from '@imdad/core';
import { assertReplaceableDirectory, loadDataset, loadModel, writeDirectoryAtomically } from '@imdad/core/node';
import type { ExplainArgs } from '../commands/explain.js';
import { loadOptions } from '../data-options.js';
import { createContext } from '../context.js';
import { fmt } from '../output.js';

/** Written beside the report: the explanation as JSON; it also marks the folder as one `explain` may replace. */
const EXPLANATION_FILE = 'explanation.json';
const REPORT_FOLDER = { marker: EXPLANATION_FILE, kind: 'imdad report folder' };
const REPORT_ENTRY = 'index.html';
const DEFAULT_TOP_ROWS = 5;
const DEFAULT_BOTTOM_ROWS = 2;

/** `--rows 0,7,42` as row numbers, duplicates dropped; anything else is a usage error. */
export function parseRows(value: string | string[]): number[] {
  const parts = [value].flat().join(',').split(',').map((part) => part.trim());
  const rows: number[] = [];
  for (const part of parts) {
    if (!/^\d+$/.test(part)) {
      throw new ImdadError('usage', `--rows: "${part}" is not a row number; give 0-based integers separated by commas, e.g. --rows 0,7,42`);
    }
    if (!rows.includes(Number(part))) rows.push(Number(part));
  }
  return rows;
}

/** The 5 highest-scoring rows, then the 2 lowest-scoring ones (all rows when there are fewer). */
export function defaultRows(scores: Float32Array): number[] {
  const ranked = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const top = ranked.slice(0, DEFAULT_TOP_ROWS);
  const bottom = ranked.slice(DEFAULT_TOP_ROWS).reverse().slice(0, DEFAULT_BOTTOM_ROWS);
  return [...top, ...bottom];
}

/** Writes the report folder atomically, with the explanation beside it (which marks the folder as a report). */
async function writeReportFolder(dir: string, report: ExplanationReport, explanationJson: string): Promise<void> {
  if (!report.files.has(REPORT_ENTRY)) throw new ImdadError('plugin-invalid', `the explainer's report has no ${REPORT_ENTRY}`);
  if (report.files.has(EXPLANATION_FILE)) throw new ImdadError('plugin-invalid', `the explainer's report may not write ${EXPLANATION_FILE}`);
  await writeDirectoryAtomically(dir, [...report.files, [EXPLANATION_FILE, explanationJson]], REPORT_FOLDER);
}

/** One line per row for people: score, verdict and the largest attributions. */
function describeRow(row: Explanation['rows'][number], names: readonly string[] | undefined): string {
  const top = row.attributions
    .map((value, i) => ({ value, i }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, 3)
    .map(({ value, i }) => `${names?.[i] ?? `x${i}`} ${value >= 0 ? '+' : ''}${fmt(value)}`)
    .join(', ');
  return `  row ${row.index}: score ${fmt(row.score)} (${row.score > 0 ? 'outside: anomaly' : 'inside: normal'}); largest attributions ${top}`;
}

export async function explain(args: ExplainArgs): Promise<void> {
  const requested = args.rows === undefined ? undefined : parseRows(args.rows);
  await assertReplaceableDirectory(args.out, REPORT_FOLDER);
  const { output, imdad, config } = await createContext(args);
  const explainer = getContribution<Explainer<object>>(imdad.container, Explainer, 'explainer', args.explainer);
  const options = parseOptions(
    explainer,
    { ...(args.method !== undefined && { method: args.method }), ...(args.steps !== undefined && { steps: args.steps }) },
    `explainer "${explainer.name}" options`,
  );
  const detector = await loadModel(imdad.container, args.model);
  try {
    const data = await loadDataset(imdad.container, args.data, loadOptions(args, detector.inputShape, args.labelColumn ?? config.labelColumn));
    if (data.n === 0) throw new ImdadError('input', `${args.data} has no rows to explain`);
    const { score } = detector.score(data.x, data.n);
    const missing = requested?.find((row) => row >= data.n);
    if (missing !== undefined) {
      throw new ImdadError('usage', `--rows: row ${missing} does not exist; ${args.data} has ${data.n} rows, numbered 0 to ${data.n - 1}`);
    }
    const indices = requested ?? defaultRows(score);
    // Neighbours are sought among rows labeled normal, or without labels, among the rows inside the sphere.
    const normalRows = Array.from(score.keys()).filter((i) => (data.y ? data.y[i] === 0 : score[i] <= 0));
    const request = { data, indices, normalRows };
    output.log(`explaining ${indices.length} of ${data.n} rows with the ${explainer.name} explainer`);
    const explanation = await explainer.explain(detector, request, options);
    const report = await explainer.report(detector, request, explanation);
    const result = { report: path.join(args.out, REPORT_ENTRY), ...explanation };
    await writeReportFolder(args.out, report, `${JSON.stringify(result, null, 2)}\n`);
    const names = detector.manifest.featureNames ?? data.featureNames;
    output.result(result, () =>
      [`wrote ${result.report} (${explanation.method}, ${indices.length} rows)`, ...explanation.rows.map((row) => describeRow(row, names))].join('\n'),
    );
  } finally {
    detector.dispose();
  }
}
