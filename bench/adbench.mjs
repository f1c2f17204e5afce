// The tabular benchmark of docs/benchmarks.md: `imdad bench` on every ADBench .npz
// (11_donors left out: it is for scale), split over parallel workers, then the table.
// Usage: node bench/adbench.mjs [--workers 2] [--seeds 0,1,2] [--heads …] [--out .bench-out/adbench.jsonl] [-- extra imdad flags]
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    workers: { type: 'string', default: '2' },
    seeds: { type: 'string', default: '0,1,2' },
    heads: { type: 'string', default: 'logistic,sslm,svm,deep-sad,deep-svdd' },
    nla: { type: 'string', default: '10' },
    data: { type: 'string', default: path.resolve(root, '../shared/data/adbench') },
    out: { type: 'string', default: path.join(root, '.bench-out/adbench.jsonl') },
  },
});
const files = readdirSync(values.data).filter((f) => f.endsWith('.npz') && f !== '11_donors.npz').map((f) => path.join(values.data, f));
// Largest first, dealt round-robin, so the workers finish close together.
files.sort((a, b) => statSync(b).size - statSync(a).size);
const workers = Math.max(1, Number(values.workers));
const shards = Array.from({ length: workers }, (_, w) => files.filter((_, i) => i % workers === w));
mkdirSync(path.dirname(values.out), { recursive: true });
rmSync(values.out, { force: true });
const bin = path.join(root, 'packages/cli/bin/imdad.js');
const started = Date.now();
const parts = await Promise.all(
  shards.map(
    (shard, w) =>
      new Promise((resolve, reject) => {
        const part = `${values.out}.part${w}`;
        rmSync(part, { force: true });
        const args = [bin, 'bench', '--suite', ...shard, '--seeds', values.seeds, '--heads', values.heads, '--nla', values.nla, '--exclude', '', '--out', part, '--quiet', ...positionals];
        const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
        child.on('exit', (code) => (code === 0 ? resolve(part) : reject(new Error(`worker ${w} exited ${code}`))));
      }),
  ),
);
const lines = parts.flatMap((p) => readFileSync(p, 'utf8').split('\n').filter((l) => l && !l.includes('"summary"')));
writeFileSync(values.out, `${lines.join('\n')}\n`);
parts.forEach((p) => rmSync(p));
console.error(`${lines.length} runs in ${((Date.now() - started) / 60000).toFixed(1)} min with ${workers} workers; results in ${values.out}`);
const table = spawn(process.execPath, [path.join(root, 'bench/table.mjs'), values.out, path.resolve(values.data, '../anchors/adgym_semi_nla.tsv')], { stdio: 'inherit' });
await new Promise((resolve) => table.on('exit', resolve));
