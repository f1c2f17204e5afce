import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container } from 'inversify';
import { ImdadError } from '../errors.js';
import { IMDAD_VERSION } from '../version.js';
import { Detector } from './detector.js';
import { MANIFEST_FILE, MODEL_FORMAT, MODEL_FORMAT_VERSION, WEIGHTS_FILE, type ModelManifest } from './manifest.js';

/** True when `dir` is absent, empty, or already an imdad model: the only places a save may write. */
async function isReplaceable(dir: string): Promise<boolean> {
  if (!existsSync(dir)) return true;
  const entries = await readdir(dir).catch(() => undefined);
  if (entries === undefined) return false;
  return entries.length === 0 || entries.includes(MANIFEST_FILE);
}

/**
 * Saves a model directory atomically: everything is written to a temporary
 * sibling folder, which is then renamed into place, so a crash never leaves a
 * half-written model. A folder that is neither empty nor a model is not replaced.
 */
export async function saveModel(detector: Detector, dir: string): Promise<void> {
  const target = path.resolve(dir);
  if (!(await isReplaceable(target))) {
    throw new ImdadError('input', `${dir} exists and is not an imdad model directory; choose another --out`);
  }
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${suffix}`);
  try {
    await mkdir(staging);
    const weights = detector.flatWeights();
    await writeFile(path.join(staging, WEIGHTS_FILE), new Uint8Array(weights.buffer, weights.byteOffset, weights.byteLength));
    await writeFile(path.join(staging, MANIFEST_FILE), `${JSON.stringify(detector.manifest, null, 2)}\n`);
    if (existsSync(target)) await rename(target, retired);
    await rename(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(retired, { recursive: true, force: true });
  }
}

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
  if (manifest?.format !== MODEL_FORMAT) throw new ImdadError('model', `${file} is not an imdad model manifest`);
  if (manifest.formatVersion !== MODEL_FORMAT_VERSION) {
    throw new ImdadError(
      'model',
      `${dir} has model format ${manifest.formatVersion}; imdad ${IMDAD_VERSION} reads format ${MODEL_FORMAT_VERSION}`,
    );
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
  if (bytes.byteLength % 4 !== 0) throw new ImdadError('model', `${dir}/${WEIGHTS_FILE} is truncated`);
  const weights = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Detector.fromWeights(container, manifest, weights);
}
