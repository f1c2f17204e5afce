import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container } from 'inversify';
import { z } from 'zod';
import { sampleSize } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';
import { assertReplaceableDirectory, writeDirectoryAtomically, type OwnedDirectory } from '../io/atomic-directory.js';
import { IMDAD_VERSION } from '../version.js';
import { Detector } from './detector.js';
import { MANIFEST_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ModelManifest } from './manifest.js';

/** What {@link saveModel} may replace: absent or empty folders, and earlier models. */
const MODEL_DIRECTORY: OwnedDirectory = { marker: MANIFEST_FILE, kind: 'imdad model directory' };

/** Fails unless {@link saveModel} may write `dir`: call it before training, so that a bad `--out` fails first. */
export async function assertModelDirectoryReplaceable(dir: string): Promise<void> {
  await assertReplaceableDirectory(dir, MODEL_DIRECTORY);
}

/**
 * Saves a model directory atomically (see {@link writeDirectoryAtomically}): a
 * crash never leaves a half-written model, and a folder that is neither empty
 * nor a model is not replaced.
 */
export async function saveModel(detector: Detector, dir: string): Promise<void> {
  const weights = detector.flatWeights();
  await writeDirectoryAtomically(
    dir,
    [
      [WEIGHTS_FILE, new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength)],
      [MANIFEST_FILE, `${JSON.stringify(detector.manifest, null, 2)}\n`],
    ],
    MODEL_DIRECTORY,
  );
}

const component = z.looseObject({ name: z.string(), options: z.record(z.string(), z.unknown()) });
const shape = z.array(z.number().int().nonnegative());

/** What loading reads from a manifest; other keys are kept as they are (format 1 may grow optional fields). */
const manifestSchema = z.looseObject({
  versions: z.looseObject({ imdad: z.string(), tfjs: z.string() }),
  encoder: component,
  head: component,
  trainer: component,
  seed: z.number().int(),
  inputShape: shape.min(1),
  embeddingDim: z.number().int().positive(),
  preprocessing: z.union([
    z.looseObject({ kind: z.literal('none') }),
    z.looseObject({ kind: z.literal('minmax'), min: z.array(z.number()), max: z.array(z.number()) }),
  ]),
  sphere: z.looseObject({ center: z.array(z.number()), radius: z.number(), radiusSquared: z.number() }),
  training: z.looseObject({ rows: z.number(), labeledAnomalies: z.number(), epochs: z.number(), seconds: z.number(), fingerprint: z.string() }),
  reference: z.array(z.number()).nullable(),
  weights: z.array(z.looseObject({ name: z.string(), shape })).min(2),
});

/** Reads and checks `manifest.json`; a model from another format version is refused clearly. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  const file = path.join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ImdadError('model', `${dir} is not a model directory (no ${MANIFEST_FILE}); train one with imdad train --out ${dir}`);
  }
  let manifest: ModelManifest;
  try {
    manifest = JSON.parse(text) as ModelManifest;
  } catch {
    throw new ImdadError('model', `${file} is not valid JSON; the model directory is damaged`);
  }
  if (manifest === null || typeof manifest !== 'object' || manifest.format !== MODEL_FORMAT) {
    throw new ImdadError('model', `${file} is not an imdad model manifest`);
  }
  if (manifest.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ImdadError(
      'model',
      `${dir} has model format ${manifest.formatVersion}; imdad ${IMDAD_VERSION} reads format ${MODEL_FORMAT_VERSION}`,
    );
  }
  const checked = manifestSchema.safeParse(manifest);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new ImdadError('model', `${file}: ${issue.path.join('.') || 'the manifest'}: ${issue.message}; the model directory is damaged`);
  }
  const { preprocessing, inputShape } = manifest;
  if (preprocessing.kind === 'minmax' && (preprocessing.min.length !== sampleSize(inputShape) || preprocessing.max.length !== preprocessing.min.length)) {
    throw new ImdadError('model', `${file}: preprocessing has ${preprocessing.min.length} features, inputShape [${inputShape.join(', ')}] has ${sampleSize(inputShape)}; the model directory is damaged`);
  }
  return manifest;
}

/** Loads a model directory written by {@link saveModel}. */
export async function loadModel(container: Container, dir: string): Promise<Detector> {
  const manifest = await readManifest(dir);
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(dir, WEIGHTS_FILE));
  } catch {
    throw new ImdadError('model', `${dir} has no ${WEIGHTS_FILE}; the model directory is incomplete`);
  }
  const weightsFile = path.join(dir, WEIGHTS_FILE);
  if (bytes.byteLength % 4 !== 0) throw new ImdadError('model', `${weightsFile} is truncated (${bytes.byteLength} bytes); the model directory is damaged`);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  try {
    return Detector.fromWeights(container, manifest, weights);
  } catch (error) {
    // fromWeights knows no paths: say which model is damaged.
    if (ImdadError.is(error, 'model')) throw new ImdadError('model', `${dir}: ${error.message}`, { cause: error });
    throw error;
  }
}
