import { readdirSync, type Dirent } from 'node:fs';
import path from 'node:path';
import { ImdadError, type DataLoader, type Dataset, type LoadOptions } from '@imdad/core';
import { checkChunkRows, describeIoError, readInputFile } from '@imdad/core/node';
import { injectable } from 'inversify';
import { PNG } from 'pngjs';
import { resizeBilinear, toChannels, type RgbaImage } from './image-ops.js';

/** The sub-folder whose images are labelled normal (y = 0); see also `ANOMALY_FOLDER`. */
export const NORMAL_FOLDER = 'normal';
/** The sub-folder whose images are labelled anomalous (y = 1). */
export const ANOMALY_FOLDER = 'anomaly';

/** How a folder of PNGs is labelled. */
export type PngLayout =
  /** PNGs directly in the folder: no labels. */
  | {
      /** Which layout this is. */
      readonly kind: 'unlabeled';
      /** Paths of the images, in name order. */
      readonly files: readonly string[];
    }
  /** `normal/` and `anomaly/` sub-folders: y = 0 / 1. */
  | {
      /** Which layout this is. */
      readonly kind: 'anomaly-labels';
      /** Paths of the images, folder by folder, in name order. */
      readonly files: readonly string[];
      /** Per image: 1 when it is in `anomaly/`, else 0. */
      readonly y: Uint8Array;
    }
  /** One sub-folder per class: class ids in the sorted order of the folder names. */
  | {
      /** Which layout this is. */
      readonly kind: 'classes';
      /** Paths of the images, folder by folder, in name order. */
      readonly files: readonly string[];
      /** Per image: the id of its class folder. */
      readonly classes: Int32Array;
      /** The class folders' names, indexed by class id. */
      readonly classNames: readonly string[];
    };

const isPng = (name: string): boolean => name.toLowerCase().endsWith('.png') && !name.startsWith('.');
const byName = new Intl.Collator('en', { numeric: true }).compare;

function entries(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw new ImdadError('input', `cannot read ${dir}: ${describeIoError(error)}`, { cause: error });
  }
}

function pngsIn(dir: string): string[] {
  return entries(dir)
    .filter((e) => e.isFile() && isPng(e.name))
    .map((e) => e.name)
    .sort(byName)
    .map((name) => path.join(dir, name));
}

/** Sub-folders that hold PNGs, by name in natural order ("2" before "10"). */
function classFolders(dir: string): { name: string; files: string[] }[] {
  return entries(dir)
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ name: e.name, files: pngsIn(path.join(dir, e.name)) }))
    .filter((folder) => folder.files.length > 0)
    .sort((a, b) => byName(a.name, b.name));
}

/** Reads which images a folder holds and how they are labelled. */
export function pngLayout(dir: string): PngLayout {
  const direct = pngsIn(dir);
  const folders = classFolders(dir);
  if (direct.length > 0 && folders.length > 0) {
    throw new ImdadError(
      'input',
      `${dir}: holds PNG images both directly and in sub-folders (${folders.map((f) => f.name).join(', ')}); put all images in class folders, or all in the folder itself`,
    );
  }
  if (folders.length === 0) {
    if (direct.length === 0) throw new ImdadError('input', `${dir}: no .png images in the folder or its sub-folders`);
    return { kind: 'unlabeled', files: direct };
  }
  const files = folders.flatMap((f) => f.files);
  if (folders.every((f) => f.name === NORMAL_FOLDER || f.name === ANOMALY_FOLDER)) {
    const y = Uint8Array.from(folders.flatMap((f) => f.files.map(() => (f.name === ANOMALY_FOLDER ? 1 : 0))));
    return { kind: 'anomaly-labels', files, y };
  }
  const classes = Int32Array.from(folders.flatMap((f, id) => f.files.map(() => id)));
  return { kind: 'classes', files, classes, classNames: folders.map((f) => f.name) };
}

/** Decodes one PNG to 8-bit RGBA; anything pngjs cannot read is an `input` error naming the file. */
async function decodePng(file: string): Promise<RgbaImage> {
  const bytes = await readInputFile(file);
  try {
    const image = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    return { width: image.width, height: image.height, data: image.data };
  } catch (error) {
    throw new ImdadError('input', `${file}: not a readable PNG image (${describeIoError(error)})`, { cause: error });
  }
}

/** Samples of one size and channel count. */
interface Geometry {
  readonly size: readonly [number, number];
  readonly channels: 1 | 3;
}

async function readImages(files: readonly string[], geometry: Geometry): Promise<Float32Array> {
  const [height, width] = geometry.size;
  const sampleValues = height * width * geometry.channels;
  const x = new Float32Array(files.length * sampleValues);
  for (let i = 0; i < files.length; i++) {
    const image = await decodePng(files[i]);
    const pixels = toChannels(image, geometry.channels);
    x.set(resizeBilinear(pixels, [image.height, image.width, geometry.channels], geometry.size), i * sampleValues);
  }
  return x;
}

/**
 * Reads a folder of PNG images: one sub-folder per class (class ids in the
 * sorted order of the folder names), `normal/` and `anomaly/` sub-folders
 * (y = 0 / 1), or images directly in the folder (no labels). Pixels are
 * scaled to [0, 1], converted to `LoadOptions.channels` (default 1: grayscale)
 * and resized bilinearly to `LoadOptions.imageSize` (default: the first image's size).
 */
@injectable()
export class PngLoader implements DataLoader {
  readonly name = 'png';
  readonly description = 'folder of PNG images: one sub-folder per class, normal/ and anomaly/ sub-folders, or unlabeled images';

  canLoad(file: string, isDirectory: boolean): boolean {
    if (!isDirectory) return false;
    try {
      return pngsIn(file).length > 0 || classFolders(file).length > 0;
    } catch {
      return false;
    }
  }

  async load(dir: string, options: LoadOptions = {}): Promise<Dataset> {
    const layout = pngLayout(dir);
    return this.read(dir, layout, 0, layout.files.length, await this.geometry(layout, options));
  }

  /** Decodes `chunkRows` images at a time. */
  async *stream(dir: string, chunkRows: number, options: LoadOptions = {}): AsyncGenerator<Dataset> {
    checkChunkRows(chunkRows);
    const layout = pngLayout(dir);
    const geometry = await this.geometry(layout, options);
    for (let start = 0; start < layout.files.length; start += chunkRows) {
      yield this.read(dir, layout, start, Math.min(layout.files.length, start + chunkRows), geometry);
    }
  }

  private async geometry(layout: PngLayout, options: LoadOptions): Promise<Geometry> {
    const channels = options.channels ?? 1;
    if (options.imageSize) {
      const [height, width] = options.imageSize;
      if (!(Number.isInteger(height) && Number.isInteger(width) && height >= 1 && width >= 1)) {
        throw new ImdadError('usage', `image size must be two positive whole numbers [height, width], got [${options.imageSize.join(', ')}]`);
      }
      return { size: [height, width], channels };
    }
    const first = await decodePng(layout.files[0]);
    return { size: [first.height, first.width], channels };
  }

  private async read(dir: string, layout: PngLayout, start: number, end: number, geometry: Geometry): Promise<Dataset> {
    const x = await readImages(layout.files.slice(start, end), geometry);
    const labels =
      layout.kind === 'anomaly-labels' ? { y: layout.y.slice(start, end) } : layout.kind === 'classes' ? { classes: layout.classes.slice(start, end) } : {};
    return { x, n: end - start, sampleShape: [...geometry.size, geometry.channels], ...labels, source: dir };
  }
}
