import { createReadStream, existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { ImdadError, type DataLoader, type Dataset, type LoadOptions } from '@imdad/core';
import { checkChunkRows, describeIoError, readInputFile } from '@imdad/core/node';
import { injectable } from 'inversify';
import { checkIdxLength, decompress, idxValueCount, isGzip, parseIdx, parseIdxHeader, type IdxHeader } from './idx.js';

const IMAGES_NAME = /[-.]idx3-ubyte(\.gz)?$/i;

/**
 * The labels file next to an images file: `images-idx3` becomes `labels-idx1`
 * (`t10k-images-idx3-ubyte.gz` -> `t10k-labels-idx1-ubyte.gz`), gzipped or not.
 */
export function siblingLabelsFile(imagesFile: string): string | undefined {
  const name = path.basename(imagesFile);
  const labels = name.replace(/images([-.])idx3/i, 'labels$1idx1');
  if (labels === name) return undefined;
  const plain = labels.replace(/\.gz$/i, '');
  const candidates = [labels, plain === labels ? `${plain}.gz` : plain];
  return candidates.map((c) => path.join(path.dirname(imagesFile), c)).find((c) => existsSync(c));
}

/** Class ids, and `y` too when every label is 0 or 1 (then they are anomaly labels). */
function labelFields(labels: Uint8Array | undefined): Pick<Dataset, 'classes' | 'y'> {
  if (!labels) return {};
  const classes = Int32Array.from(labels);
  return labels.every((v) => v <= 1) ? { classes, y: Uint8Array.from(labels) } : { classes };
}

/** Pixels scaled from bytes to [0, 1]. */
function toPixels(values: Uint8Array): Float32Array {
  const pixels = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) pixels[i] = values[i] / 255;
  return pixels;
}

/**
 * Reads IDX image files (`*-idx3-ubyte`, gzipped or not), as MNIST ships them:
 * pixels scaled to [0, 1], samples of shape `[rows, columns, 1]`, and the class
 * ids of the labels file (`LoadOptions.labelsPath`, else the sibling `*-labels-idx1-ubyte[.gz]`).
 */
@injectable()
export class IdxLoader implements DataLoader {
  readonly name = 'idx';
  readonly description = 'IDX images (*-idx3-ubyte[.gz], as MNIST ships them) with their labels file as class ids';

  canLoad(file: string, isDirectory: boolean): boolean {
    return !isDirectory && IMAGES_NAME.test(path.basename(file));
  }

  async load(file: string, options: LoadOptions = {}): Promise<Dataset> {
    const { dims, values } = parseIdx(decompress(await readInputFile(file), file), file, 'images');
    const [n, rows, columns] = dims;
    const labels = await this.readLabels(file, n, options);
    return { x: toPixels(values), n, sampleShape: [rows, columns, 1], ...labelFields(labels), source: file };
  }

  /** Reads the images `chunkRows` at a time from a (gunzipping) file stream: memory stays bounded. */
  async *stream(file: string, chunkRows: number, options: LoadOptions = {}): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    const gzipped = await startsWithGzip(file);
    if (!gzipped && file.toLowerCase().endsWith('.gz')) throw new ImdadError('input', `${file}: is named .gz but does not hold gzip data`);
    const source = createReadStream(file);
    const input = gzipped ? pipeline(source, createGunzip(), () => {}) : source;
    const pending = new ChunkQueue();
    let header: IdxHeader | undefined;
    let labels: Uint8Array | undefined;
    let rowBytes = 0;
    let emitted = 0;
    try {
      for await (const part of input as AsyncIterable<Buffer>) {
        pending.push(part);
        if (!header) {
          if (pending.length < 4 || pending.length < 4 + 4 * pending.peek(4)[3]) continue;
          header = parseIdxHeader(pending.peek(16), file, 'images');
          pending.take(header.size);
          labels = await this.readLabels(file, header.dims[0], options);
          rowBytes = header.dims[1] * header.dims[2];
        }
        while (pending.length >= chunkRows * rowBytes && emitted + chunkRows <= header.dims[0]) {
          yield this.chunk(header, pending.take(chunkRows * rowBytes), emitted, labels, file);
          emitted += chunkRows;
        }
      }
    } catch (error) {
      if (ImdadError.is(error)) throw error;
      const reason = gzipped ? `damaged gzip data (${(error as Error).message}); download the file again` : describeIoError(error);
      throw new ImdadError('input', `${file}: ${reason}`, { cause: error });
    }
    if (!header) header = parseIdxHeader(pending.take(pending.length), file, 'images');
    const left = header.dims[0] - emitted;
    checkIdxLength(header, emitted * rowBytes + pending.length, file);
    if (left > 0) yield this.chunk(header, pending.take(left * rowBytes), emitted, labels, file);
  }

  private chunk(header: IdxHeader, bytes: Uint8Array, start: number, labels: Uint8Array | undefined, file: string): Dataset {
    const [, rows, columns] = header.dims;
    const n = bytes.length / (rows * columns);
    return { x: toPixels(bytes), n, sampleShape: [rows, columns, 1], ...labelFields(labels?.subarray(start, start + n)), source: file };
  }

  /** The labels for `count` images: from `labelsPath`, the sibling labels file, or none. */
  private async readLabels(imagesFile: string, count: number, options: LoadOptions): Promise<Uint8Array | undefined> {
    const file = options.labelsPath ?? siblingLabelsFile(imagesFile);
    if (file === undefined) return undefined;
    const { dims, values } = parseIdx(decompress(await readInputFile(file), file), file, 'labels');
    if (dims[0] !== count) {
      throw new ImdadError('input', `${file}: holds ${dims[0]} labels for the ${count} images of ${imagesFile}; they must match`);
    }
    return values;
  }
}

/** True when the file starts with the gzip magic bytes. */
async function startsWithGzip(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(2), 0, 2, 0);
    return isGzip(buffer.subarray(0, bytesRead));
  } catch (error) {
    throw new ImdadError('input', `cannot read ${file}: ${describeIoError(error)}`, { cause: error });
  } finally {
    await handle?.close();
  }
}

/** Bytes arriving in parts, taken from the front in sizes of our choosing. */
class ChunkQueue {
  private parts: Buffer[] = [];
  length = 0;

  push(part: Buffer): void {
    this.parts.push(part);
    this.length += part.length;
  }

  /** The first `size` bytes (or all there are), left in the queue. */
  peek(size: number): Uint8Array {
    const joined = Buffer.concat(this.parts);
    this.parts = [joined];
    return joined.subarray(0, Math.min(size, joined.length));
  }

  /** Removes and returns the first `size` bytes. */
  take(size: number): Uint8Array {
    const joined = Buffer.concat(this.parts, this.length);
    const out = new Uint8Array(joined.subarray(0, size));
    const rest = joined.subarray(size);
    this.parts = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }
}
