import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { sampleSize } from '../contracts/dataset.js';
import type { SnapshotTensor, TrainerSnapshot } from '../contracts/trainer.js';
import { ImdadError } from '../errors.js';
import { CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION, type TrainingCheckpoint } from './checkpoint-format.js';

const STATE_FILE = 'checkpoint.json';
/** Tensor files are named per checkpoint (`tensors-EPOCH-PID-HEX.bin`); `checkpoint.json` says which is current. */
const TENSORS_PREFIX = 'tensors-';

/** Where the checkpoints of a run that saves its model to `modelDir` go: the sibling `<modelDir>.checkpoint`. */
export function checkpointDirFor(modelDir: string): string {
  return `${path.resolve(modelDir)}.checkpoint`;
}

/** Writes a file and flushes it to disk, so that a rename after it publishes whole contents. */
async function writeDurably(file: string, data: string | Uint8Array): Promise<void> {
  const handle = await open(file, 'w');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes a checkpoint into `dir`, replacing the previous one atomically: the
 * tensors go to a new file first, then `checkpoint.json`, which names that file,
 * is renamed over the old one (a file rename, unlike a folder swap, leaves no
 * moment without a checkpoint), and only then are older tensor files removed.
 * A crash at any point leaves the previous checkpoint or the new one.
 */
export async function saveCheckpoint(dir: string, checkpoint: TrainingCheckpoint): Promise<void> {
  const { tensors, ...snapshot } = checkpoint.snapshot;
  const total = tensors.reduce((sum, t) => sum + t.values.length, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const t of tensors) {
    values.set(t.values, offset);
    offset += t.values.length;
  }
  const tensorsFile = `${TENSORS_PREFIX}${snapshot.epoch}-${process.pid}-${randomBytes(4).toString('hex')}.bin`;
  const state = { ...checkpoint, snapshot: { ...snapshot, tensorsFile, tensors: tensors.map((t) => ({ name: t.name, shape: [...t.shape] })) } };
  await mkdir(dir, { recursive: true });
  await writeDurably(path.join(dir, tensorsFile), new Uint8Array(values.buffer));
  const staging = path.join(dir, `${STATE_FILE}.tmp-${process.pid}`);
  await writeDurably(staging, `${JSON.stringify(state)}\n`);
  await rename(staging, path.join(dir, STATE_FILE));
  for (const name of await readdir(dir)) {
    if (name !== tensorsFile && name !== STATE_FILE) await rm(path.join(dir, name), { force: true, recursive: true });
  }
}

const stateSchema = z.looseObject({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.literal(CHECKPOINT_FORMAT_VERSION),
  createdAt: z.string(),
  versions: z.looseObject({ imdad: z.string(), tfjs: z.string() }),
  spec: z.looseObject({
    backbone: z.string(),
    backboneOptions: z.record(z.string(), z.unknown()),
    head: z.string(),
    headOptions: z.record(z.string(), z.unknown()),
    trainer: z.string(),
    trainerOptions: z.record(z.string(), z.unknown()),
    seed: z.number().int().nonnegative(),
    scaling: z.enum(['auto', 'minmax', 'none']),
  }),
  data: z.looseObject({
    source: z.string().nullable(),
    labelColumn: z.string().nullable(),
    rows: z.number().int().nonnegative(),
    fingerprint: z.string(),
  }),
  seconds: z.number().nonnegative(),
  snapshot: z.looseObject({
    epoch: z.number().int().positive(),
    tensorsFile: z.string().regex(/^tensors-[\w-]+\.bin$/),
    tensors: z.array(z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()) })),
    state: z.record(z.string(), z.unknown()),
  }),
});

/** True when `dir` holds a checkpoint (its `checkpoint.json`), whole or damaged. */
export function hasCheckpoint(dir: string): boolean {
  return existsSync(path.join(dir, STATE_FILE));
}

/** Reads a checkpoint folder; a missing, damaged or foreign one fails with an `ImdadError` naming the file. */
export async function readCheckpoint(dir: string): Promise<TrainingCheckpoint> {
  const stateFile = path.join(dir, STATE_FILE);
  let text: string;
  try {
    text = await readFile(stateFile, 'utf8');
  } catch {
    throw new ImdadError('input', `${dir}: no checkpoint there (no ${STATE_FILE}); nothing to resume`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ImdadError('model', `${stateFile} is not valid JSON; the checkpoint is damaged: delete ${dir} and train afresh`);
  }
  if ((raw as { format?: unknown } | null)?.format === CHECKPOINT_FORMAT && (raw as { formatVersion?: unknown }).formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new ImdadError('model', `${stateFile} has checkpoint format ${String((raw as { formatVersion?: unknown }).formatVersion)}; this imdad reads format ${CHECKPOINT_FORMAT_VERSION}`);
  }
  const parsed = stateSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ImdadError('model', `${stateFile}: ${issue.path.join('.') || 'the checkpoint'}: ${issue.message}; the checkpoint is damaged: delete ${dir} and train afresh`);
  }
  const tensorsFile = path.join(dir, parsed.data.snapshot.tensorsFile);
  let bytes: Buffer;
  try {
    bytes = await readFile(tensorsFile);
  } catch {
    throw new ImdadError('model', `${dir} has no ${parsed.data.snapshot.tensorsFile}; the checkpoint is damaged: delete ${dir} and train afresh`);
  }
  const specs = parsed.data.snapshot.tensors;
  const expected = specs.reduce((sum, t) => sum + sampleSize(t.shape), 0);
  if (bytes.byteLength !== expected * 4) {
    throw new ImdadError('model', `${tensorsFile} holds ${bytes.byteLength} bytes, the checkpoint lists ${expected * 4}; the checkpoint is damaged: delete ${dir} and train afresh`);
  }
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  let offset = 0;
  const tensors: SnapshotTensor[] = specs.map(({ name, shape }) => {
    const size = sampleSize(shape);
    const tensor = { name, shape, values: values.subarray(offset, offset + size) };
    offset += size;
    return tensor;
  });
  const { tensorsFile: _file, ...snapshot } = parsed.data.snapshot;
  const checkpoint = parsed.data as unknown as TrainingCheckpoint;
  return { ...checkpoint, snapshot: { ...(snapshot as unknown as TrainerSnapshot), tensors } };
}

/** Removes a checkpoint folder (after the final model is saved). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}
