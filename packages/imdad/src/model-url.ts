import { ImdadError, MANIFEST_FILE, WEIGHTS_FILE, decodeModel, parseManifest, type Detector as TrainedModel } from '@imdad/core';
import type { Container } from 'inversify';

/** True for `http://` and `https://` addresses, which Node fetches instead of reading a folder. */
export function isHttpUrl(source: string): boolean {
  return /^https?:\/\//i.test(source);
}

async function fetchFile(base: string, name: string): Promise<Response> {
  const url = `${base.replace(/\/+$/, '')}/${name}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new ImdadError('model', `${url} could not be fetched (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (!response.ok) throw new ImdadError('model', `${url}: HTTP ${response.status}; is ${base} a model directory served as static files?`);
  return response;
}

/** Loads a model directory served over HTTP (`manifest.json` and `weights.bin` under `base`). */
export async function loadModelFromUrl(container: Container, base: string): Promise<TrainedModel> {
  const manifest = parseManifest(await (await fetchFile(base, MANIFEST_FILE)).text(), base);
  const weights = new Uint8Array(await (await fetchFile(base, WEIGHTS_FILE)).arrayBuffer());
  return decodeModel(container, manifest, weights, base);
}
