import type { Container } from 'inversify';
import { z } from 'zod';
import { sampleSize } from '../contracts/dataset.js';
import { ImdadError } from '../errors.js';
import { IMDAD_VERSION } from '../version.js';
import { Detector } from './detector.js';
import { MANIFEST_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ModelManifest } from './manifest.js';

/*
 * A model as the two files of a model directory, without any storage: the
 * file store (store.ts, Node) and a browser's fetch both go through here, so
 * a model reads the same wherever it is loaded.
 */

/** The contents of a model directory: `manifest.json` and `weights.bin`. */
export interface ModelFiles {
  /** The text of `manifest.json`. */
  readonly manifest: string;
  /** The bytes of `weights.bin`: every weight as little-endian float32, in manifest order. */
  readonly weights: Uint8Array;
}

/** The files of a model directory for a detector. */
export function encodeModel(detector: Detector): ModelFiles {
  const weights = detector.flatWeights();
  return {
    manifest: `${JSON.stringify(detector.manifest, null, 2)}\n`,
    weights: new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength),
  };
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

/**
 * Parses and checks the text of `manifest.json`; `where` names the model in
 * messages (a folder, a URL). A model from another format version is refused clearly.
 */
export function parseManifest(text: string, where: string): ModelManifest {
  const file = `${where}/${MANIFEST_FILE}`;
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
    throw new ImdadError('model', `${where} has model format ${manifest.formatVersion}; imdad ${IMDAD_VERSION} reads format ${MODEL_FORMAT_VERSION}`);
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

/**
 * Rebuilds a detector from a checked manifest and the bytes of `weights.bin`
 * with the backbone and head the container provides.
 */
export function decodeModel(container: Container, manifest: ModelManifest, weights: Uint8Array, where: string): Detector {
  if (weights.byteLength % 4 !== 0) {
    throw new ImdadError('model', `${where}/${WEIGHTS_FILE} is truncated (${weights.byteLength} bytes); the model directory is damaged`);
  }
  // A copy: the bytes may sit at an offset that is not a multiple of 4 (Node's pooled buffers).
  const values = new Float32Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength));
  try {
    return Detector.fromWeights(container, manifest, values);
  } catch (error) {
    // fromWeights knows no paths: say which model is damaged.
    if (ImdadError.is(error, 'model')) throw new ImdadError('model', `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}
