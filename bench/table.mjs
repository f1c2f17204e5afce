// Turns `imdad bench --json` lines into the markdown table of docs/benchmarks.md:
// mean AUROC over seeds per dataset and head, then the mean over datasets.
// Usage: node bench/table.mjs results.jsonl [anchors.tsv]
import { readFileSync } from 'node:fs';

const [file, anchorsFile] = process.argv.slice(2);
if (!file) throw new Error('usage: node bench/table.mjs results.jsonl [anchors.tsv]');
const rows = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((r) => !r.summary);
const heads = [...new Set(rows.map((r) => r.head))];
const datasets = [...new Set(rows.map((r) => r.dataset))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
const cell = (dataset, head, key) => {
  const values = rows.filter((r) => r.dataset === dataset && r.head === head).map((r) => r[key]);
  return values.length ? mean(values) : NaN;
};

const nla = rows[0]?.nla;
let anchors = new Map();
const anchorNames = ['DeepSAD', 'DevNet', 'PReNet', 'XGBOD'];
if (anchorsFile) {
  const [header, ...lines] = readFileSync(anchorsFile, 'utf8').trim().split('\n').map((l) => l.split('\t'));
  for (const line of lines) {
    if (Number(line[1]) !== nla) continue;
    anchors.set(line[0], Object.fromEntries(anchorNames.map((n) => [n, Number(line[header.indexOf(n)])])));
  }
}
const anchorCols = anchors.size ? anchorNames : [];
const fmt = (v) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const seedsOf = (h) => [...new Set(rows.filter((r) => r.head === h).map((r) => r.seed))].sort();
console.log(`AUROC (nla = ${nla}), mean over the seeds each head ran: ${heads.map((h) => `${h} ${seedsOf(h).join(',')}`).join('; ')}.`);
console.log('Columns marked * are published anchors (ADGym, mean of 3 seeds, same nla); a dash: not run.\n');
console.log(`| dataset | ${heads.join(' | ')}${anchorCols.map((a) => ` | ${a}*`).join('')} |`);
console.log(`|---|${heads.map(() => '---:').join('|')}${anchorCols.map(() => '|---:').join('')}|`);
for (const d of datasets) {
  console.log(`| ${d} | ${heads.map((h) => fmt(cell(d, h, 'auroc'))).join(' | ')}${anchorCols.map((a) => ` | ${fmt(anchors.get(d)?.[a])}`).join('')} |`);
}
const meanOf = (h) => mean(datasets.map((d) => cell(d, h, 'auroc')));
const anchorMean = (a) => mean(datasets.map((d) => anchors.get(d)?.[a] ?? NaN));
console.log(`| **mean** | ${heads.map((h) => `**${fmt(meanOf(h))}**`).join(' | ')}${anchorCols.map((a) => ` | ${fmt(anchorMean(a))}`).join('')} |`);
console.log(`\nAUPRC (mean over datasets): ${heads.map((h) => `${h} ${fmt(mean(datasets.map((d) => cell(d, h, 'auprc'))))}`).join(', ')}`);
console.log(`F1 at f > 0 (mean over datasets): ${heads.map((h) => `${h} ${fmt(mean(datasets.map((d) => cell(d, h, 'f1'))))}`).join(', ')}`);
console.log(`Training time per run (mean s): ${heads.map((h) => `${h} ${fmt(mean(rows.filter((r) => r.head === h).map((r) => r.trainSeconds)))}`).join(', ')}`);
