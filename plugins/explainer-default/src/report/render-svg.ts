import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** Looks shared by every chart of the report. */
const CONFIG = {
  // No ARIA labels: one per point made the SVGs several times larger; the figures carry captions.
  aria: false,
  font: 'system-ui, -apple-system, "Segoe UI", sans-serif',
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee', labelOverlap: true },
  title: { fontSize: 13, anchor: 'start', subtitleColor: '#555' },
  legend: { labelFontSize: 11, titleFontSize: 11 },
} as const;

/** A text mark as vega's text metrics see it. */
interface TextItem {
  fontSize?: number;
  fontWeight?: string | number;
}

/** vega-scenegraph's text metrics, re-exported by vega at run time though its typings omit them. */
const { textMetrics } = vega as unknown as { textMetrics: { width: (item: TextItem, text: unknown) => number } };

/** Advance widths, in em, of a wide sans-serif face (DejaVu Sans, a common fallback), rounded up. */
function charWidth(ch: string): number {
  if (" il.,:;|!'`".includes(ch)) return 0.34;
  if ('fjrtI()[]{}-'.includes(ch)) return 0.42;
  if ('mwMW'.includes(ch)) return 0.92;
  if (ch >= 'A' && ch <= 'Z') return 0.72;
  if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) return 0.62;
  return 0.8;
}

/**
 * Text width without a canvas. vega's own estimate (0.8 em a character) is
 * a third too wide, which left wide blank margins beside titles and legends.
 */
function estimateTextWidth(item: TextItem, text: unknown): number {
  const value = text == null ? '' : String(text).trim();
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || Number(item.fontWeight) >= 600 ? 1.12 : 1;
  let em = 0;
  for (const ch of value) em += charWidth(ch);
  return Math.ceil(em * size * bold);
}

/**
 * Renders a vega-lite spec to SVG on the server: compiled to vega, run in a
 * headless View (no canvas, no DOM). The namespace attributes are dropped
 * because inline SVG in HTML does not need them, which keeps the report free
 * of any URL.
 */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const { spec: vegaSpec } = compile({ ...spec, config: { ...CONFIG, ...spec.config } } as TopLevelSpec);
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  const previousWidth = textMetrics.width;
  textMetrics.width = estimateTextWidth;
  try {
    const svg = await view.toSVG();
    return svg.replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
  } finally {
    textMetrics.width = previousWidth;
    view.finalize();
  }
}
