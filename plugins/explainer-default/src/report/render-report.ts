import {
  IMDAD_VERSION,
  sampleSize,
  takeRows,
  type ExplainableModel,
  type Explanation,
  type ExplanationRequest,
  type RowExplanation,
} from '@imdad/core';
import { embedAndScore, thin } from '../model-pass.js';
import { principalPlane, projectPoint } from '../pca.js';
import { attributionBars, dimensionBars, embeddingMap, groupOf, scoreHistogram } from './charts.js';
import { DIVERGING_STOPS, heatmapPixels, imageGeometry, imagePixels, type ImageGeometry, type Pixels } from './heatmap.js';
import { encodePng, pngDataUri } from './png.js';
import { renderSvg } from './render-svg.js';
import { REPORT_CSS } from './report-css.js';

/** Rows scored for the histogram and fit by the PCA at most (evenly thinned beyond). */
const MAX_POPULATION_ROWS = 20_000;
/** Points drawn in the embedding picture at most. */
const MAX_DRAWN_ROWS = 2_500;
/** Image pictures are upscaled by whole pixels to at least this many pixels on their longer side. */
const MIN_IMAGE_SIDE = 112;

const METHOD_NAMES: Record<string, string> = {
  'integrated-gradients': 'integrated gradients',
  gradient: 'gradient',
  'gradient-x-input': 'gradient × input',
};

/** Escapes text for HTML content and attribute values. */
function esc(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** The last part of a path or URL (`/data/cardio.csv` -> `cardio.csv`), without Node's path module. */
function baseName(source: string): string {
  return source.split(/[\\/]/).filter(Boolean).pop() ?? source;
}

/** 4 significant digits. */
function num(value: number): string {
  return Number.isFinite(value) ? Number(value.toPrecision(4)).toString() : String(value);
}

function percent(share: number): string {
  return `${Number((100 * share).toPrecision(2))}%`;
}

/** `#i`, linked to the row's section when it has one. */
function rowLink(index: number, explained: ReadonlySet<number>): string {
  return explained.has(index) ? `<a href="#row-${index}">#${index}</a>` : `#${index}`;
}

function signed(value: number): string {
  return `${value >= 0 ? '+' : '−'}${num(Math.abs(value))}`;
}

/** One name per input value: feature names for tabular rows, `(row, column[, channel])` for image pixels. */
function inputNames(model: ExplainableModel, request: ExplanationRequest, geometry: ImageGeometry | undefined): string[] {
  const width = sampleSize(model.inputShape);
  if (geometry) {
    return Array.from({ length: width }, (_, i) => {
      const pixel = Math.floor(i / geometry.channels);
      const at = `${Math.floor(pixel / geometry.width)}, ${pixel % geometry.width}`;
      return geometry.channels > 1 ? `(${at}, ${i % geometry.channels})` : `(${at})`;
    });
  }
  const names = model.manifest?.featureNames ?? request.data.featureNames;
  return names && names.length === width ? [...names] : Array.from({ length: width }, (_, i) => `x${i}`);
}

/** What the model concludes about a row. */
function verdict(row: RowExplanation): string {
  return row.score > 0 ? 'outside: anomaly' : 'inside: normal';
}

function figure(content: string, caption: string, className = ''): string {
  return `<figure${className ? ` class="${className}"` : ''}>${content}<figcaption>${caption}</figcaption></figure>`;
}

async function image(pixels: Pixels, alt: string): Promise<string> {
  return `<img src="${pngDataUri(await encodePng(pixels.width, pixels.height, pixels.rgba))}" width="${pixels.width}" height="${pixels.height}" alt="${esc(alt)}">`;
}

/** The colour bar of the heatmaps, from `-limit` to `+limit`. */
function colorBar(limit: number): string {
  return `<div class="colorbar"><div class="ramp" style="background: linear-gradient(to right, ${DIVERGING_STOPS.join(', ')})"></div><div class="ticks"><span>${signed(-limit)}</span><span>0</span><span>${signed(limit)}</span></div></div>`;
}

/** The pictures of the rows as a whole: score histogram and PCA map of the embedding. */
async function overview(model: ExplainableModel, request: ExplanationRequest, explanation: Explanation): Promise<string> {
  const { data } = request;
  const { sphere } = explanation;
  const population = thin(Array.from({ length: data.n }, (_, i) => i), MAX_POPULATION_ROWS);
  const pass = embedAndScore(model, model.preprocess(takeRows(data, population).x), population.length);
  const d = pass.embeddingDim;
  const labels = data.y ? Uint8Array.from(population, (row) => data.y![row]) : undefined;
  const plane = principalPlane(pass.phi, population.length, d);
  const drawn = thin(Array.from({ length: population.length }, (_, j) => j), MAX_DRAWN_ROWS);
  const explained = embedAndScore(model, model.preprocess(takeRows(data, request.indices).x), request.indices.length);
  const center = projectPoint(plane, sphere.center);
  const map = embeddingMap({
    points: drawn.map((j) => {
      const [x, y] = projectPoint(plane, pass.phi, j * d);
      return { x, y, group: groupOf(labels, j) };
    }),
    explained: request.indices.map((index, i) => {
      const [x, y] = projectPoint(plane, explained.phi, i * d);
      return { x, y, index };
    }),
    labeled: labels !== undefined,
    center,
    radius: sphere.empty ? undefined : sphere.radius,
    explainedVariance: plane.explained,
    drawn: drawn.length,
    total: data.n,
  });
  const scored = population.length < data.n ? `${population.length} evenly spaced rows of the ${data.n}` : `all ${data.n} rows`;
  const flagged = pass.score.reduce((count, s) => count + (s > 0 ? 1 : 0), 0);
  const histogramCaption =
    `Scores of ${scored}${labels ? ', by label' : ''}. Right of the dashed line (score 0, where ‖φ − c‖² = R²) a row lies outside the sphere and the model flags it: ` +
    `${flagged} of ${population.length} here.`;
  const circle = sphere.empty
    ? '<strong>The sphere is empty (R² ≤ 0), so there is no circle.</strong>'
    : `The dashed circle is the sphere's cross-section through its center, parallel to this plane: radius R = ${num(sphere.radius)} around the projected center c. ` +
      'Every row inside the sphere projects inside the circle; a row outside the sphere can still land inside it, since the picture drops all but two directions of the embedding.';
  const mapCaption = `The embedding φ(x) of ${scored}, projected onto its first two principal axes (PCA fit on these rows; ${percent(plane.explained[0] + plane.explained[1])} of the variance). ${circle}`;
  return `<div class="figures">${figure(await renderSvg(scoreHistogram(pass.score, labels)), histogramCaption)}${figure(await renderSvg(map), mapCaption)}</div>`;
}

/** The summary table of the explained rows. */
function rowsTable(explanation: Explanation, names: readonly string[], hasLabels: boolean): string {
  const isPath = explanation.baseline !== undefined;
  const head = ['row', ...(hasLabels ? ['label'] : []), 'score', '‖φ − c‖', 'margin R − ‖φ − c‖', 'the model says', 'largest attributions', ...(isPath ? ['Σ attributions vs Δ score'] : []), 'nearest normal rows (distance in φ)'];
  const explained = new Set(explanation.rows.map((row) => row.index));
  const body = explanation.rows.map((row) => {
    const top = row.attributions
      .map((value, i) => ({ value, i }))
      .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
      .slice(0, 3)
      .map(({ value, i }) => `${esc(names[i])} ${signed(value)}`)
      .join('<br>');
    const sum = row.attributions.reduce((a, b) => a + b, 0);
    const delta = row.score - (explanation.baseline?.score ?? 0);
    const near = row.nearestNormals?.map((n) => `${rowLink(n.index, explained)} (${num(n.distance)})`).join(', ') ?? '—';
    const cells = [
      rowLink(row.index, explained),
      ...(hasLabels ? [row.label === undefined ? '—' : String(row.label)] : []),
      num(row.score),
      num(Math.sqrt(row.distanceSquared)),
      num(row.margin),
      `<span class="${row.score > 0 ? 'out' : 'in'}">${verdict(row)}</span>`,
      top,
      ...(isPath ? [`${num(sum)} vs ${num(delta)} (off by ${percent(Math.abs(row.completenessError ?? 0) / Math.max(Math.abs(delta), 1e-12))})`] : []),
      near,
    ];
    return `<tr>${cells.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  });
  return `<table class="rows"><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`;
}

/** One explained row: its numbers, its decomposition and its attributions (bars or heatmap). */
async function rowSection(
  model: ExplainableModel,
  request: ExplanationRequest,
  explanation: Explanation,
  row: RowExplanation,
  names: readonly string[],
  geometry: ImageGeometry | undefined,
): Promise<string> {
  const method = METHOD_NAMES[explanation.method] ?? explanation.method;
  const label = row.label === undefined ? '' : `, label ${row.label}`;
  const decomposition = figure(
    await renderSvg(dimensionBars(row.dimensions, `Row ${row.index}: distance to c per embedding dimension`)),
    `Σ_k (φ_k − c_k)² = ‖φ − c‖² = ${num(row.distanceSquared)} = score + R² (${num(row.score)} + ${num(explanation.sphere.radiusSquared)}).`,
  );
  let attribution: string;
  if (geometry) {
    const scale = Math.max(1, Math.ceil(MIN_IMAGE_SIDE / Math.max(geometry.height, geometry.width)));
    const input = model.preprocess(takeRows(request.data, [row.index]).x);
    const heat = heatmapPixels(row.attributions, geometry, scale);
    attribution = figure(
      `<div class="pair">${await image(imagePixels(input, geometry, scale), `row ${row.index}`)}${await image(heat, `attributions of row ${row.index}`)}</div>${colorBar(heat.limit)}`,
      `Row ${row.index} and its ${method} attributions per pixel${geometry.channels > 1 ? ' (summed over channels)' : ''}: red raises the score, blue lowers it.`,
      'image',
    );
  } else {
    attribution = figure(
      await renderSvg(attributionBars(names, row.attributions, `Row ${row.index}: ${method} attributions`)),
      `Per feature, in the model's (preprocessed) input space; red raises the score, blue lowers it.${
        row.completenessError !== undefined ? ` They sum to ${num(row.attributions.reduce((a, b) => a + b, 0))}; the score rose by ${num(row.score - (explanation.baseline?.score ?? 0))} from the baseline.` : ''
      }`,
    );
  }
  return (
    `<section class="row" id="row-${row.index}"><h3>Row ${row.index}${label}: score ${num(row.score)}, ${verdict(row)}</h3>` +
    `<p class="facts">‖φ − c‖ = ${num(Math.sqrt(row.distanceSquared))}, margin R − ‖φ − c‖ = ${num(row.margin)}.</p>` +
    `<div class="figures">${attribution}${decomposition}</div></section>`
  );
}

/** The model read-out: what the model is and the sphere read from its weights. */
async function readout(model: ExplainableModel, request: ExplanationRequest, explanation: Explanation, geometry: ImageGeometry | undefined): Promise<string> {
  const { sphere } = explanation;
  const component = (c?: { name: string; options: Record<string, unknown> }): string =>
    c ? `${esc(c.name)} <code>${esc(JSON.stringify(c.options))}</code>` : '—';
  const norm = Math.hypot(...sphere.center);
  const centerShown = sphere.center.slice(0, 8).map(num).join(', ') + (sphere.center.length > 8 ? `, … (${sphere.center.length} values)` : '');
  const method = METHOD_NAMES[explanation.method] ?? explanation.method;
  const steps = explanation.options.steps;
  const baseline = explanation.baseline
    ? `${explanation.baseline.kind === 'reference' ? "the model's normal reference row (the unlabeled training row nearest c)" : esc(explanation.baseline.kind)}; its score ${num(explanation.baseline.score)}${
        explanation.options.baseline === 'reference' && explanation.baseline.kind !== 'reference' ? ' (the model stores no reference row)' : ''
      }`
    : '—';
  const referenceImage =
    geometry && model.reference && explanation.baseline?.kind === 'reference'
      ? `<div class="reference">${await image(imagePixels(model.reference, geometry, Math.max(1, Math.ceil(MIN_IMAGE_SIDE / 2 / Math.max(geometry.height, geometry.width)))), 'the reference row')}</div>`
      : '';
  const entries: [string, string][] = [
    ['backbone', component(model.manifest?.encoder)],
    ['head', component(model.manifest?.head)],
    ['input', `[${model.inputShape.join(', ')}]${geometry ? ' (image)' : ''} → embedding d = ${model.head.embeddingDim}`],
    ['radius R', `${num(sphere.radius)} (R² = ${num(sphere.radiusSquared)})${sphere.empty ? ' <strong class="out">empty sphere</strong>' : ''}`],
    ['center c', `‖c‖ = ${num(norm)}; c = (${centerShown})`],
    ['read from', 'the head\'s weights: c = −w/2, R² = ‖w‖²/4 − b'],
    ['attributions', `${method}${explanation.baseline ? `, ${steps} steps` : ''}`],
    ['baseline', `${baseline}${referenceImage}`],
    ['data', `${esc(request.data.source ? baseName(request.data.source) : 'rows')}: ${request.data.n} rows${request.data.y ? ', labeled' : ''}`],
  ];
  return `<table class="kv">${entries.map(([k, v]) => `<tr><th>${k}</th><td>${v}</td></tr>`).join('')}</table>`;
}

const HOW_TO_READ = `
<ul>
<li><b>Score.</b> s(x) = ‖φ(x) − c‖² − R²: positive outside the sphere (the model flags the row), negative inside.
The center c and radius R are read from the final layer's weights, not set by hand.</li>
<li><b>Decomposition.</b> ‖φ(x) − c‖² = Σ_k (φ_k − c_k)²: the tall bars are the embedding dimensions that carry the row away from the center.</li>
<li><b>Attributions.</b> How much each input value moves the score, measured in the model's input space (after preprocessing, e.g. min-max scaling).
The gradient says how the score changes locally; gradient × input weighs it by the value; integrated gradients add up the gradient
along the straight path from the baseline to the row, so that the attributions sum to score(row) − score(baseline).</li>
<li><b>Margin.</b> R − ‖φ(x) − c‖: how far inside the boundary a row is; negative outside.</li>
</ul>`;

/** The report: one self-contained HTML page (inline SVG and CSS, PNGs as data: URIs, no scripts). */
export async function renderReport(model: ExplainableModel, request: ExplanationRequest, explanation: Explanation): Promise<string> {
  const geometry = imageGeometry(model.inputShape);
  const names = inputNames(model, request, geometry);
  const title = `imdad explanation: ${request.data.source ? baseName(request.data.source) : 'rows'}`;
  const sections: string[] = [];
  for (const row of explanation.rows) sections.push(await rowSection(model, request, explanation, row, names, geometry));
  const warning = explanation.sphere.empty
    ? `<p class="warning">The sphere is empty: R² = ${num(explanation.sphere.radiusSquared)} ≤ 0, so every row scores as an anomaly. Retrain the model (more epochs, another head or options).</p>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="imdad ${esc(IMDAD_VERSION)}">
<title>${esc(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<header><h1>Why these rows score as they do</h1>
<p class="meta">${esc(title)} · ${explanation.rows.length} rows explained · generated by imdad ${esc(IMDAD_VERSION)}</p></header>
${warning}
<section id="model"><h2>The model</h2>${await readout(model, request, explanation, geometry)}</section>
<section id="overview"><h2>All rows</h2>${await overview(model, request, explanation)}</section>
<section id="rows"><h2>Explained rows</h2>${rowsTable(explanation, names, request.data.y !== undefined)}</section>
${sections.join('\n')}
<section id="how"><h2>How to read this</h2>${HOW_TO_READ}</section>
</body>
</html>
`;
}
