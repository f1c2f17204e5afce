/** The report's stylesheet, inlined into its `<style>` element. */
export const REPORT_CSS = `
:root { color-scheme: light; --ink: #1d1d1f; --muted: #5f6368; --rule: #e3e3e3; --out: #b2182b; --in: #2166ac; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: #fff; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--rule); }
h3 { font-size: 15px; margin: 0 0 4px; }
.meta, .facts, figcaption { color: var(--muted); }
.warning { padding: 10px 14px; border-left: 4px solid var(--out); background: #fdf0f0; }
table { border-collapse: collapse; }
.kv th { text-align: left; font-weight: 600; padding: 3px 16px 3px 0; vertical-align: top; white-space: nowrap; }
.kv td { padding: 3px 0; }
.rows { width: 100%; font-size: 13px; }
.rows th, .rows td { padding: 5px 8px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
.rows th { background: #f6f6f6; font-weight: 600; white-space: nowrap; }
.rows td:nth-child(n+3) { font-variant-numeric: tabular-nums; }
.out { color: var(--out); font-weight: 600; }
.in { color: var(--in); }
code { font-size: 12px; background: #f4f4f4; padding: 1px 4px; border-radius: 3px; word-break: break-all; }
a { color: var(--in); }
section.row { margin-top: 22px; padding-top: 14px; border-top: 1px solid var(--rule); }
.figures { display: flex; flex-wrap: wrap; gap: 20px 28px; align-items: flex-start; }
figure { margin: 0; }
figure svg { display: block; }
/* Zero width, at least the figure's: the caption wraps to the width of the picture above it. */
figcaption { width: 0; min-width: 100%; font-size: 12.5px; margin-top: 4px; }
.pair { display: flex; gap: 10px; }
.pair img, .reference img { display: block; image-rendering: pixelated; border: 1px solid var(--rule); }
.reference { margin-top: 4px; }
.colorbar { width: 236px; margin-top: 6px; font-size: 11px; color: var(--muted); }
.colorbar .ramp { height: 10px; border: 1px solid var(--rule); }
.colorbar .ticks { display: flex; justify-content: space-between; }
`;
