// Training and scoring throughput of imdad's real training path (MaxMarginTrainer,
// logistic head, the backbone plugins) on each tensor backend, side by side with
// the same architectures trained in PyTorch (bench/torch_reference.py).
//
// Usage: npm run bench:speed -- [--cases mlp-cardio,mlp-mnist,cnn-mnist,resnet-mnist]
//          [--backends wasm,cpu] [--epochs N] [--rows N] [--no-torch] [--torch-threads N]
//          [--python /usr/bin/python3] [--out file.jsonl] [--data ../shared/data]
// Prints one JSON line per (case, backend) on stdout, progress on stderr. The first
// epoch is a warm-up and is not timed (epochs >= 2). Training samples/s = rows of
// the timed epochs / their seconds, as the trainer reports them; scoring samples/s =
// head.score(network.apply(x)) in batches of 2048 over all rows (median of 3 passes).
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The cases: rows and epochs are bounded so the whole run takes a few minutes on 2 cores.
 * `cpuRows`: rows on the cpu backend ('same': as on wasm; 0: skip the case there, it would take too long).
 */
const CASES = {
  'mlp-cardio': { backbone: 'mlp', data: 'adbench/6_cardio.npz', rows: 0, epochs: 10, cpuRows: 'same' },
  'mlp-mnist': { backbone: 'mlp', data: 'adbench/24_mnist.npz', rows: 0, epochs: 3, cpuRows: 2048 },
  'cnn-mnist': { backbone: 'cnn', data: 'mnist', rows: 2048, epochs: 3, cpuRows: 0 },
  'resnet-mnist': { backbone: 'resnet', data: 'mnist', rows: 1024, epochs: 2, cpuRows: 0 },
};

const { values: args } = parseArgs({
  options: {
    cases: { type: 'string', default: Object.keys(CASES).join(',') },
    backends: { type: 'string', default: 'wasm,cpu' },
    epochs: { type: 'string' },
    rows: { type: 'string' },
    'no-torch': { type: 'boolean', default: false },
    'torch-threads': { type: 'string', default: '0' },
    python: { type: 'string' },
    out: { type: 'string' },
    data: { type: 'string', default: path.resolve(root, '../shared/data') }, // adbench/*.npz and mnist/*.gz
    child: { type: 'string' }, // internal: "case:backend:rows:epochs"
  },
});

const dataDir = path.resolve(args.data);

if (args.child) {
  await runChild(args.child);
} else {
  await runAll();
}

// ------------------------------------------------------------------ orchestration

async function runAll() {
  const cases = args.cases.split(',').filter(Boolean);
  for (const name of cases) if (!CASES[name]) throw new Error(`unknown case ${name} (known: ${Object.keys(CASES).join(', ')})`);
  const { listBackends } = await import('@imdad/core');
  const available = new Set((await listBackends()).filter((b) => b.available).map((b) => b.name));
  const backends = args.backends.split(',').filter(Boolean);
  const python = args['no-torch'] ? undefined : findPython();
  if (!args['no-torch'] && !python) console.error('bench:speed: no python3 with torch found (Debian: apt install python3-torch); ratios are left out');
  console.error(`bench:speed: cases ${cases.join(', ')}; backends ${backends.join(', ')}; load ${loadAverage()}`);

  for (const name of cases) {
    const spec = CASES[name];
    const epochs = Number(args.epochs ?? spec.epochs);
    const torch = python ? await runTorch(python, name, rowsFor(spec, 'wasm'), epochs) : undefined;
    if (torch?.skipped) console.error(`bench:speed: torch reference skipped: ${torch.skipped}`);
    for (const backend of backends) {
      const base = { case: name, backend, batchSize: 128 };
      if (!available.has(backend)) {
        emit({ ...base, skipped: `backend ${backend} is not available here` });
        continue;
      }
      const rows = rowsFor(spec, backend);
      if (rows === undefined) {
        emit({ ...base, skipped: `the ${spec.backbone} case takes too long on the ${backend} backend (pure-JS kernels); run it on wasm` });
        continue;
      }
      console.error(`bench:speed: ${name} on ${backend} (${rows || 'all'} rows, ${epochs} epochs) ...`);
      const result = await runNode(name, backend, rows, epochs);
      // Torch ran on the wasm row count; compare only where the row counts agree.
      const comparable = torch && !torch.skipped && torch.rows === result.rows;
      emit({
        ...result,
        torchTrainSamplesPerSec: comparable ? round(torch.trainSamplesPerSec) : undefined,
        torchScoreSamplesPerSec: comparable ? round(torch.scoreSamplesPerSec) : undefined,
        trainRatio: comparable ? round(result.trainSamplesPerSec / torch.trainSamplesPerSec, 3) : undefined,
        scoreRatio: comparable ? round(result.scoreSamplesPerSec / torch.scoreSamplesPerSec, 3) : undefined,
        torchThreads: comparable ? torch.threads : undefined,
        load: loadAverage(),
      });
    }
  }
}

/** Rows for a case on a backend: 0 = all; undefined = skip. */
function rowsFor(spec, backend) {
  if (args.rows !== undefined) return Number(args.rows);
  if (backend === 'wasm') return spec.rows;
  if (spec.cpuRows === 0) return undefined;
  return spec.cpuRows === 'same' ? spec.rows : spec.cpuRows;
}

function emit(line) {
  const text = JSON.stringify(line);
  console.log(text);
  if (args.out) appendFileSync(args.out, `${text}\n`);
}

function round(value, digits = 1) {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function loadAverage() {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return undefined;
  }
}

function findPython() {
  const candidates = args.python ? [args.python] : ['/usr/bin/python3', 'python3'];
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return candidate;
  }
  return undefined;
}

function runProcess(command, commandArgs) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'inherit'], cwd: root });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.on('error', reject);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop();
      if (code !== 0 || !last) return reject(new Error(`${command} ${commandArgs.join(' ')} exited ${code}`));
      resolve(JSON.parse(last));
    });
  });
}

function runTorch(python, name, rows, epochs) {
  const torchArgs = [path.join(root, 'bench/torch_reference.py'), '--case', name, '--epochs', String(epochs), '--rows', String(rows), '--threads', args['torch-threads'], '--data-dir', dataDir];
  console.error(`bench:speed: ${name} in PyTorch ...`);
  return runProcess(python, torchArgs);
}

function runNode(name, backend, rows, epochs) {
  return runProcess(process.execPath, [fileURLToPath(import.meta.url), '--child', `${name}:${backend}:${rows}:${epochs}`, '--data', dataDir]);
}

// ------------------------------------------------------------------ one case on one backend (child process)

async function runChild(spec) {
  const [name, backend, rowsText, epochsText] = spec.split(':');
  const rows = Number(rowsText);
  const epochs = Number(epochsText);
  const core = await import('@imdad/core');
  const { tf } = core;
  await core.useBackend(backend);
  const dataset = await loadCase(CASES[name], rows);
  const encoder = await encoderFor(CASES[name].backbone);
  const head = new core.LogisticHead();
  const trainer = new core.MaxMarginTrainer();
  const progress = [];
  const started = performance.now();
  const result = await trainer.train({
    dataset,
    encoder,
    encoderOptions: encoder.optionsSchema.parse({}),
    head,
    headOptions: head.optionsSchema.parse({}),
    options: core.trainerOptionsSchema.parse({ epochs, batchSize: 128 }),
    seed: 0,
    onProgress: (p) => progress.push(p),
  });
  const trainSeconds = (performance.now() - started) / 1000;
  const timed = progress.filter((p) => p.phase === 'train' && (p.epoch > 1 || epochs === 1));
  const timedRows = timed.reduce((sum, p) => sum + p.samplesPerSecond * p.seconds, 0);
  const timedSeconds = timed.reduce((sum, p) => sum + p.seconds, 0);

  // Scoring: the data on the backend once, then head.score(network.apply(x)) per 2048 rows.
  const x = tf.tensor(dataset.x, [dataset.n, ...dataset.sampleShape]);
  const scoreBatch = (start) =>
    tf.tidy(() => {
      const size = Math.min(2048, dataset.n - start);
      const batch = tf.slice(x, start, size);
      return result.head.score(result.network.apply(batch, { training: false }));
    });
  const warm = scoreBatch(0);
  await warm.data();
  warm.dispose();
  // Three passes over all rows; the median pass (a single pass can catch a GC or a heap growth).
  const passes = [];
  for (let pass = 0; pass < 3; pass++) {
    const scoreStarted = performance.now();
    for (let start = 0; start < dataset.n; start += 2048) {
      const scores = scoreBatch(start);
      await scores.data();
      scores.dispose();
    }
    passes.push((performance.now() - scoreStarted) / 1000);
  }
  const scoreSeconds = passes.sort((a, b) => a - b)[1];
  x.dispose();

  let threads = 1;
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    threads = wasm.getThreadsCount();
  }
  const last = progress[progress.length - 1];
  console.log(
    JSON.stringify({
      case: name,
      backend,
      trainSamplesPerSec: round(timedRows / timedSeconds),
      scoreSamplesPerSec: round(dataset.n / scoreSeconds),
      batchSize: 128,
      threads,
      rows: dataset.n,
      epochs,
      epochSamplesPerSec: progress.map((p) => round(p.samplesPerSecond)),
      trainSeconds: round(trainSeconds, 2),
      finalLoss: last ? round(last.loss, 4) : undefined,
      numTensors: tf.memory().numTensors,
    }),
  );
  result.network.dispose();
  result.head.dispose();
}

async function encoderFor(backbone) {
  if (backbone === 'mlp') return new (await import('@imdad/backbone-mlp')).MlpEncoder();
  if (backbone === 'cnn') return new (await import('@imdad/backbone-cnn')).CnnEncoder();
  return new (await import('@imdad/backbone-resnet')).ResnetEncoder();
}

/** Same data as bench/torch_reference.py: min-max scaled features; the first 10 anomalies labeled, all other rows unlabeled. */
async function loadCase(spec, rows) {
  const nla = 10;
  if (spec.data === 'mnist') {
    const { decompress, parseIdx } = await import('@imdad/loader-images');
    const read = (file, kind) => {
      const full = path.join(dataDir, 'mnist', file);
      return parseIdx(decompress(new Uint8Array(readFileSync(full)), full), full, kind);
    };
    const images = read('t10k-images-idx3-ubyte.gz', 'images');
    const digits = read('t10k-labels-idx1-ubyte.gz', 'labels').values;
    const [total, height, width] = images.dims;
    const n = rows > 0 ? Math.min(rows, total) : total;
    const x = Float32Array.from(images.values.subarray(0, n * height * width), (v) => v / 255);
    const y = labelFirst(Uint8Array.from(digits.subarray(0, n), (d) => (d !== 0 ? 1 : 0)), nla);
    return { x, n, sampleShape: [height, width, 1], y, source: 'mnist t10k' };
  }
  const { npzDataset } = await import('@imdad/loader-tabular');
  const file = path.join(dataDir, spec.data);
  if (!existsSync(file)) throw new Error(`${file} is missing`);
  const full = npzDataset(new Uint8Array(readFileSync(file)), file);
  const width = full.sampleShape[0];
  const n = rows > 0 ? Math.min(rows, full.n) : full.n;
  const { applyPreprocessing, fitMinMax } = await import('@imdad/core');
  const rowsUsed = full.x.subarray(0, n * width);
  const x = applyPreprocessing(fitMinMax(rowsUsed, n, width), rowsUsed);
  return { x, n, sampleShape: [width], y: labelFirst(full.y.subarray(0, n), nla), source: file };
}

function labelFirst(y, count) {
  const labels = new Uint8Array(y.length);
  for (let i = 0, seen = 0; i < y.length && seen < count; i++) {
    if (y[i] === 1) {
      labels[i] = 1;
      seen++;
    }
  }
  return labels;
}
