import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Container } from 'inversify';
import { ImdadError } from '../errors.js';
import { assertReplaceableDirectory, writeDirectoryAtomically, type OwnedDirectory } from '../io/atomic-directory.js';
import type { Detector } from './detector.js';
import { MANIFEST_FILE, WEIGHTS_FILE, type ModelManifest } from './manifest.js';
import { decodeModel, encodeModel, parseManifest } from './model-files.js';

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
  const files = encodeModel(detector);
  await writeDirectoryAtomically(
    dir,
    [
      [WEIGHTS_FILE, files.weights],
      [MANIFEST_FILE, files.manifest],
    ],
    MODEL_DIRECTORY,
  );
}

/** Reads and checks `manifest.json`; a model from another format version is refused clearly. */
export async function readManifest(dir: string): Promise<ModelManifest> {
  let text: string;
  try {
    text = await readFile(path.join(dir, MANIFEST_FILE), 'utf8');
  } catch {
    throw new ImdadError('model', `${dir} is not a model directory (no ${MANIFEST_FILE}); train one with imdad train --out ${dir}`);
  }
  return parseManifest(text, dir);
}

/** Loads a model directory written by {@link saveModel}. */
export async function loadModel(container: Container, dir: string): Promise<Detector> {
  const manifest = await readManifest(dir);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path.join(dir, WEIGHTS_FILE));
  } catch {
    throw new ImdadError('model', `${dir} has no ${WEIGHTS_FILE}; the model directory is incomplete`);
  }
  return decodeModel(container, manifest, bytes, dir);
}
