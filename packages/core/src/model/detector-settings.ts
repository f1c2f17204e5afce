import { z } from 'zod';
import { BACKEND_NAMES } from '../backend/backends.js';

const optionsRecord = z.record(z.string(), z.unknown());

/**
 * The settings that choose and configure a detector, shared by the CLI's rc
 * file and the `imdad` library's `Detector.create`: the same names, defaults
 * and validation wherever a detector is configured. Unknown keys are errors.
 */
export const detectorSettingsSchema = z.strictObject({
  /** Tensor backend: `auto` picks the fastest available one. */
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** Seed for training, for reproducible runs. */
  seed: z.number().int().nonnegative().default(0),
  /** The backbone (encoder) to train with. */
  backbone: z.string().default('mlp'),
  /** Options for the backbone. */
  backboneOptions: optionsRecord.default({}),
  /** The head to train with. */
  head: z.string().default('logistic'),
  /** Options for the head. */
  headOptions: optionsRecord.default({}),
  /** The trainer to train with. */
  trainer: z.string().default('adam'),
  /** Options for the trainer. */
  trainerOptions: optionsRecord.default({}),
});

/** Detector settings, validated, defaults filled in. */
export type DetectorSettings = z.infer<typeof detectorSettingsSchema>;

/** A key as it can appear in a one-line message: plain names as they are, anything else quoted. */
function showKey(key: PropertyKey): string {
  return typeof key === 'string' && /^[\w$-]+$/.test(key) ? key : JSON.stringify(String(key));
}

/**
 * What is wrong with a settings object, in one line naming the key; unknown
 * keys are listed with the known ones (`knownKeys`, the schema's keys).
 */
export function describeSettingsIssue(issue: z.core.$ZodIssue, knownKeys: readonly string[]): string {
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map(showKey).join(', ');
    const at = issue.path.length > 0 ? ` in ${issue.path.map(showKey).join('.')}` : '';
    return `${keys}: unknown key${issue.keys.length > 1 ? 's' : ''}${at} (known keys: ${knownKeys.join(', ')})`;
  }
  // zod's messages quote no user text, but keep them on one line whatever they hold.
  const message = issue.message.replace(/\s+/g, ' ');
  if (issue.path.length === 0) return `expected an object of settings such as {"seed": 1} (${message})`;
  return `${issue.path.map(showKey).join('.')}: ${message}`;
}
