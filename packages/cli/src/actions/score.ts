import { createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import path from 'node:path';
import { ImdadError, loadModel, loaderFor, type Dataset } from '@imdad/core';
import type { ScoreArgs } from '../commands/score.js';
import { createContext } from '../context.js';

async function* chunks(loader: Awaited<ReturnType<typeof loaderFor>>, file: string, chunkRows: number, labelColumn?: string): AsyncIterable<Dataset> {
  if (loader.stream) yield* loader.stream(file, chunkRows, { labelColumn });
  else yield await loader.load(file, { labelColumn });
}

export async function score(args: ScoreArgs): Promise<void> {
  if (!Number.isInteger(args.chunkRows) || args.chunkRows < 1) throw new ImdadError('usage', '--chunk-rows must be a positive integer');
  const { output, imdad } = await createContext(args);
  const detector = await loadModel(imdad.container, args.model);
  const loader = await loaderFor(imdad.container, args.data);
  const target = args.out ? path.resolve(args.out) : undefined;
  const staging = target ? `${target}.tmp-${process.pid}` : undefined;
  const sink = staging ? createWriteStream(staging) : process.stdout;
  const write = async (text: string): Promise<void> => {
    if (!sink.write(text)) await once(sink, 'drain');
  };
  const csv = !output.json || target !== undefined;
  let index = 0;
  let flagged = 0;
  try {
    if (csv) await write('index,score,distanceSquared,anomaly\n');
    for await (const chunk of chunks(loader, args.data, args.chunkRows, args.labelColumn)) {
      const { score: scores, distanceSquared } = detector.score(chunk.x, chunk.n);
      let text = '';
      for (let i = 0; i < chunk.n; i++, index++) {
        const anomaly = scores[i] > 0;
        if (anomaly) flagged++;
        text += csv
          ? `${index},${scores[i]},${distanceSquared[i]},${anomaly}\n`
          : `${JSON.stringify({ index, score: scores[i], distanceSquared: distanceSquared[i], anomaly })}\n`;
      }
      await write(text);
    }
    if (staging && target) {
      (sink as ReturnType<typeof createWriteStream>).end();
      await once(sink, 'finish');
      await rename(staging, target);
      output.log(`scored ${index} rows, ${flagged} outside the sphere; wrote ${args.out}`);
      if (output.json) output.result({ out: args.out, rows: index, anomalies: flagged }, () => '');
    }
  } catch (error) {
    if (staging) {
      (sink as ReturnType<typeof createWriteStream>).destroy();
      await rm(staging, { force: true });
    }
    throw error;
  } finally {
    detector.dispose();
  }
}
