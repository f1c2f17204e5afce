import type { TopLevelSpec } from 'vega-lite';
import { DIVERGING_STOPS } from './heatmap.js';

/** Row groups and their colours: by label when the data has labels, one group otherwise. */
export const GROUP_NORMAL = 'normal (label 0)';
export const GROUP_ANOMALY = 'anomaly (label 1)';
export const GROUP_ALL = 'rows (no labels)';
const GROUP_COLORS: Record<string, string> = { [GROUP_NORMAL]: '#4c78a8', [GROUP_ANOMALY]: '#e45756', [GROUP_ALL]: '#7f7f7f' };

/** The colour scale of the groups present. */
function groupScale(labels: boolean): { domain: string[]; range: string[] } {
  const domain = labels ? [GROUP_NORMAL, GROUP_ANOMALY] : [GROUP_ALL];
  return { domain, range: domain.map((group) => GROUP_COLORS[group]) };
}
const RAISES = DIVERGING_STOPS[DIVERGING_STOPS.length - 1];
const LOWERS = DIVERGING_STOPS[0];

/** The group a row belongs to in the pictures. */
export function groupOf(labels: Uint8Array | undefined, row: number): string {
  if (!labels) return GROUP_ALL;
  return labels[row] === 1 ? GROUP_ANOMALY : GROUP_NORMAL;
}

const BINS = 40;

/** `sign(s) log(1 + |s|)`: linear near 0, logarithmic in the tails, like vega's symlog scale with constant 1. */
function symlog(s: number): number {
  return Math.sign(s) * Math.log1p(Math.abs(s));
}

function symexp(t: number): number {
  return Math.sign(t) * Math.expm1(Math.abs(t));
}

/**
 * Histogram of scores per group, stacked, on a symmetric-log axis (anomaly
 * scores often run far beyond the normals'), with the boundary at score 0,
 * where `||phi - c||^2 = R^2`.
 */
export function scoreHistogram(scores: Float32Array, labels: Uint8Array | undefined): TopLevelSpec {
  let lo = symlog(0);
  let hi = symlog(0);
  for (const s of scores) {
    lo = Math.min(lo, symlog(s));
    hi = Math.max(hi, symlog(s));
  }
  if (hi === lo) hi = lo + 1; // every score 0: still a valid axis
  const width = (hi - lo) / BINS;
  const groups = labels ? [GROUP_NORMAL, GROUP_ANOMALY] : [GROUP_ALL];
  const counts = groups.map(() => new Array<number>(BINS).fill(0));
  scores.forEach((s, i) => {
    const bin = Math.min(BINS - 1, Math.floor((symlog(s) - lo) / width));
    counts[groups.indexOf(groupOf(labels, i))][bin]++;
  });
  const bars: Record<string, number | string>[] = [];
  for (let bin = 0; bin < BINS; bin++) {
    let stacked = 0;
    groups.forEach((group, g) => {
      const count = counts[g][bin];
      if (count === 0) return;
      bars.push({ group, from: symexp(lo + bin * width), to: symexp(lo + (bin + 1) * width), y0: stacked, y1: stacked + count, count });
      stacked += count;
    });
  }
  const xScale = { type: 'symlog' as const, constant: 1, domain: [symexp(lo), symexp(hi)], nice: false };
  return {
    width: 440,
    height: 220,
    title: { text: 'Scores', subtitle: 'stacked counts, symmetric-log axis; dashed: the boundary (score 0)' },
    layer: [
      {
        data: { values: bars },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x: { field: 'from', type: 'quantitative', scale: xScale, title: 'score s(x) = ‖φ(x) − c‖² − R²' },
          x2: { field: 'to' },
          y: { field: 'y1', type: 'quantitative', title: 'rows', axis: { tickMinStep: 1, format: 'd' } },
          y2: { field: 'y0' },
          color: { field: 'group', type: 'nominal', scale: groupScale(labels !== undefined), legend: { title: null, orient: 'top-right' } },
        },
      },
      {
        data: { values: [{ at: 0, label: 'R² (score 0)' }] },
        encoding: { x: { field: 'at', type: 'quantitative', scale: xScale } },
        layer: [
          { mark: { type: 'rule', color: '#222', strokeWidth: 1.5, strokeDash: [5, 3] } },
          { mark: { type: 'text', align: 'left', dx: 4, dy: -4, baseline: 'bottom', color: '#222' }, encoding: { y: { value: 0 }, text: { field: 'label' } } },
        ],
      },
    ],
  } as TopLevelSpec;
}

/** The embedding projected onto its first two principal axes, with the sphere's outline. */
export interface EmbeddingMapData {
  readonly points: readonly { x: number; y: number; group: string }[];
  /** Whether the groups are labels (normal, anomaly) or one group of unlabeled rows. */
  readonly labeled: boolean;
  /** The explained rows, labelled by index. */
  readonly explained: readonly { x: number; y: number; index: number }[];
  readonly center: readonly [number, number];
  /** `R`, or undefined for an empty sphere (no circle). */
  readonly radius?: number;
  /** Share of the variance along each axis. */
  readonly explainedVariance: readonly [number, number];
  /** Rows drawn out of the rows in the data (a sample when there are many). */
  readonly drawn: number;
  readonly total: number;
}

/** The circle's outline as a closed polyline. */
function circlePath(center: readonly [number, number], radius: number): { x: number; y: number; order: number }[] {
  return Array.from({ length: 129 }, (_, i) => {
    const angle = (2 * Math.PI * i) / 128;
    return { x: center[0] + radius * Math.cos(angle), y: center[1] + radius * Math.sin(angle), order: i };
  });
}

/** Equal domains on both axes, so that the circle stays a circle. */
function squareDomains(map: EmbeddingMapData): { x: [number, number]; y: [number, number] } {
  const xs = [...map.points.map((p) => p.x), map.center[0] - (map.radius ?? 0), map.center[0] + (map.radius ?? 0)];
  const ys = [...map.points.map((p) => p.y), map.center[1] - (map.radius ?? 0), map.center[1] + (map.radius ?? 0)];
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const half = (Math.max(x1 - x0, y1 - y0) / 2) * 1.06 || 1;
  const [cx, cy] = [(x0 + x1) / 2, (y0 + y1) / 2];
  return { x: [cx - half, cx + half], y: [cy - half, cy + half] };
}

export function embeddingMap(map: EmbeddingMapData): TopLevelSpec {
  const domains = squareDomains(map);
  const pct = (share: number): string => `${(100 * share).toFixed(0)}% of variance`;
  const x = { field: 'x', type: 'quantitative', scale: { domain: domains.x, nice: false, zero: false }, title: `PC1 (${pct(map.explainedVariance[0])})` } as const;
  const y = { field: 'y', type: 'quantitative', scale: { domain: domains.y, nice: false, zero: false }, title: `PC2 (${pct(map.explainedVariance[1])})` } as const;
  const layers: object[] = [
    {
      data: { values: map.points },
      mark: { type: 'circle', size: 22, opacity: 0.65 },
      encoding: { x, y, color: { field: 'group', type: 'nominal', scale: groupScale(map.labeled), legend: { title: null, orient: 'bottom' } } },
    },
    {
      data: { values: map.explained.map((p) => ({ ...p, label: `#${p.index}` })) },
      layer: [
        { mark: { type: 'point', shape: 'circle', size: 90, filled: false, stroke: '#111', strokeWidth: 1.5 }, encoding: { x, y } },
        { mark: { type: 'text', dx: 7, dy: -7, align: 'left', fontSize: 10, color: '#111' }, encoding: { x, y, text: { field: 'label' } } },
      ],
    },
    {
      data: { values: [{ x: map.center[0], y: map.center[1], label: 'c' }] },
      layer: [
        { mark: { type: 'point', shape: 'cross', size: 110, filled: true, color: '#111' }, encoding: { x, y } },
        { mark: { type: 'text', dx: -7, dy: 9, align: 'right', fontSize: 11, fontWeight: 'bold', color: '#111' }, encoding: { x, y, text: { field: 'label' } } },
      ],
    },
  ];
  if (map.radius !== undefined) {
    layers.unshift({
      data: { values: circlePath(map.center, map.radius) },
      mark: { type: 'line', color: '#111', strokeWidth: 1.5, strokeDash: [6, 3] },
      encoding: { x, y, order: { field: 'order', type: 'quantitative' } },
    });
  }
  const drawn = map.drawn < map.total ? `${map.drawn} of ${map.total} rows` : `${map.total} rows`;
  return {
    width: 360,
    height: 360,
    title: { text: 'Embedding, first two principal axes', subtitle: `${drawn}; circled: the explained rows; cross: the center c` },
    layer: layers,
  } as TopLevelSpec;
}

/** How many features an attribution chart shows at most. */
export const MAX_FEATURE_BARS = 25;

/** Horizontal bars of the largest attributions, red where a feature raises the score, blue where it lowers it. */
export function attributionBars(names: readonly string[], values: readonly number[], title: string): TopLevelSpec {
  const ranked = values
    .map((value, i) => ({ feature: names[i], value, effect: value >= 0 ? 'raises the score' : 'lowers the score' }))
    .sort((a, b) => Math.abs(b.value) - Math.abs(a.value))
    .slice(0, MAX_FEATURE_BARS);
  const shown = ranked.length < values.length ? `the ${ranked.length} largest of ${values.length} features` : `${values.length} features`;
  return {
    width: 300,
    height: { step: 14 },
    title: { text: title, subtitle: `${shown}, by |attribution|` },
    data: { values: ranked },
    mark: 'bar',
    encoding: {
      y: { field: 'feature', type: 'nominal', sort: null, title: null },
      x: { field: 'value', type: 'quantitative', title: 'attribution' },
      color: { field: 'effect', type: 'nominal', scale: { domain: ['raises the score', 'lowers the score'], range: [RAISES, LOWERS] }, legend: { title: null, orient: 'bottom' } },
      tooltip: [{ field: 'feature' }, { field: 'value', format: '.4g' }],
    },
  } as TopLevelSpec;
}

/** How many embedding dimensions a decomposition chart shows at most. */
export const MAX_DIMENSION_BARS = 64;

/** Bars of `(phi_k - c_k)^2`: which embedding dimensions carry the row's distance to the center. */
export function dimensionBars(dimensions: readonly number[], title: string): TopLevelSpec {
  const ranked = dimensions.map((value, k) => ({ k, value }));
  const kept = ranked.length > MAX_DIMENSION_BARS ? [...ranked].sort((a, b) => b.value - a.value).slice(0, MAX_DIMENSION_BARS).sort((a, b) => a.k - b.k) : ranked;
  const shown = kept.length < dimensions.length ? `the ${kept.length} largest of ${dimensions.length} dimensions` : `${dimensions.length} dimensions`;
  return {
    width: 300,
    height: 130,
    title: { text: title, subtitle: `(φ_k − c_k)² over ${shown}; they sum to score + R²` },
    data: { values: kept },
    mark: { type: 'bar', color: '#72b7b2' },
    encoding: {
      x: { field: 'k', type: 'ordinal', title: 'embedding dimension k', axis: { labelAngle: 0, labelOverlap: true } },
      y: { field: 'value', type: 'quantitative', title: '(φ_k − c_k)²' },
      tooltip: [{ field: 'k' }, { field: 'value', format: '.4g' }],
    },
  } as TopLevelSpec;
}
