import { once } from 'node:events';
import { open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ImdadError, type DataLoader, type Dataset, type LoadOptions } from '@imdad/core';
import { loadModel, loaderFor } from '@imdad/core/node';
import type { ScoreArgs } from '../commands/score.js';
import { loadOptions } from '../data-options.js';
import { createContext } from '../context.js';
import { scoringProgress } from '../progress.js';

async function* chunks(loader: DataLoader, file: string, chunkRows: number, options: LoadOptions): AsyncIterable<Dataset> {
  if (loader.stream) yield* loader.stream(file, chunkRows, options);
  else yield await loader.load(file, options);
}

/** Where scores go: stdout, or a file written to a staging name and renamed into place when complete. */
interface Sink {
  write(text: string): Promise<void>;
  /** Everything is written: make it visible. */
  commit(): Promise<void>;
  /** Something failed: leave nothing behind. */
  abort(): Promise<void>;
}

const stdoutSink: Sink = {
  async write(text) {
    if (!process.stdout.write(text)) await once(process.stdout, 'drain');
  },
  async commit() {},
  async abort() {},
};

/** A file sink that creates its staging file on the first write: a run that fails early writes nothing. */
function fileSink(target: string): Sink {
  const staging = `${target}.tmp-${process.pid}`;
  let handle: FileHandle | undefined;
  return {
    async write(text) {
      handle ??= await open(staging, 'w');
      await handle.write(text);
    },
    async commit() {
      handle ??= await open(staging, 'w');
      await handle.close();
      handle = undefined;
      await rename(staging, target);
    },
    async abort() {
      await handle?.close().catch(() => {});
      handle = undefined;
      await rm(staging, { force: true });
    },
  };
}

/** JSON of a score: finite numbers as JSON.stringify writes them, anything else as null. */
function jsonNumber(value: number): string {
  return Number.isFinite(value) ? String(value) : 'null';
}

/** The lines of one chunk, built as one string: no per-row objects, one write per chunk. */
function formatChunk(first: number, score: Float32Array, distanceSquared: Float32Array, csv: boolean): string {
  let text = '';
  for (let i = 0; i < score.length; i++) {
    const s = score[i];
    text += csv
      ? `${first + i},${s},${distanceSquared[i]},${s > 0}\n`
      : `{"index":${first + i},"score":${jsonNumber(s)},"distanceSquared":${jsonNumber(distanceSquared[i])},"anomaly":${s > 0}}\n`;
  }
  return text;
}

export async function score(args: ScoreArgs): Promise<void> {
  if (!Number.isInteger(args.chunkRows) || args.chunkRows < 1) throw new ImdadError('usage', '--chunk-rows must be a positive integer');
  const { output, imdad } = await createContext(args);
  const detector = await loadModel(imdad.container, args.model);
  const sink = args.out ? fileSink(path.resolve(args.out)) : stdoutSink;
  const csv = !output.json || args.out !== undefined;
  let rows = 0;
  let flagged = 0;
  const progress = scoringProgress(args.quiet === true);
  try {
    const loader = await loaderFor(imdad.container, args.data);
    // The header goes out with the first scored chunk: data that fails at once prints nothing.
    let header = csv ? 'index,score,distanceSquared,anomaly\n' : '';
    for await (const chunk of chunks(loader, args.data, args.chunkRows, loadOptions(args, detector.inputShape))) {
      const scores = detector.scoreDataset({ ...chunk, source: args.data });
      for (const s of scores.score) if (s > 0) flagged++;
      await sink.write(header + formatChunk(rows, scores.score, scores.distanceSquared, csv));
      header = '';
      rows += chunk.n;
      progress(rows);
    }
    progress(rows, true);
    if (header) await sink.write(header);
    await sink.commit();
  } catch (error) {
    await sink.abort();
    throw error;
  } finally {
    detector.dispose();
  }
  if (args.out) {
    output.log(`scored ${rows} rows, ${flagged} outside the sphere; wrote ${args.out}`);
    if (output.json) output.result({ out: args.out, rows, anomalies: flagged }, () => '');
  }
}
