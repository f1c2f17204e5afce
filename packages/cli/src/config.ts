import path from 'node:path';
import { BACKEND_NAMES, ImdadError, describeSettingsIssue, detectorSettingsSchema } from '@imdad/core';
import { cosmiconfig } from 'cosmiconfig';
import { z } from 'zod';

/** The plugins the CLI loads when the rc file names none besides them. */
export const BUILT_IN_PLUGINS = [
  'backbone-mlp',
  'backbone-cnn',
  'backbone-resnet',
  'loader-tabular',
  'loader-images',
  'explainer-default',
] as const;

const settings = detectorSettingsSchema.shape;

/** The rc file's schema: the detector settings shared with the library, plus the CLI's own keys; unknown keys are errors. */
export const rcSchema = z.strictObject({
  // Each detector setting is core's validator: the library's Detector.create checks the same way.
  /** Tensor backend: `auto` picks the fastest available one (the same enum as core's; written here so that the API docs can list it). */
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  /** Seed for training, for reproducible runs. */
  seed: settings.seed,
  /** The backbone (encoder) to train with. */
  backbone: settings.backbone,
  /** Options for the backbone. */
  backboneOptions: settings.backboneOptions,
  /** The head to train with. */
  head: settings.head,
  /** Options for the head. */
  headOptions: settings.headOptions,
  /** The trainer to train with. */
  trainer: settings.trainer,
  /** Options for the trainer. */
  trainerOptions: settings.trainerOptions,
  /** Extra plugins by name: `resnet`, `imdad-plugin-foo`, `@acme/foo`, `./local-plugin`. */
  plugins: z.array(z.string().min(1)).default([]),
  /** CSV: the label column. */
  labelColumn: z.string().optional(),
});

/** The rc file's settings, validated, defaults filled in. */
export type RcConfig = z.infer<typeof rcSchema>;

/** The validated rc settings and where they came from. */
export interface LoadedConfig {
  /** The settings, defaults filled in (all defaults when there is no rc file). */
  readonly config: RcConfig;
  /** The rc file used, if any. */
  readonly filepath?: string;
  /** Folder plugins resolve from: the rc file's, or the working directory. */
  readonly baseDir: string;
}

const explorer = cosmiconfig('imdad');

/**
 * Why an rc file did not load, in one line: for JSON and YAML the parser's
 * reason without cosmiconfig's code frame, for a module the first line of its error.
 */
function describeLoadError(error: unknown): string {
  const [first, ...rest] = (error instanceof Error ? error.message : String(error)).split('\n');
  const syntax = /^(JSON|YAML) Error in /.exec(first);
  if (!syntax) return first;
  const reason = rest.map((line) => line.trim()).find((line) => line !== '' && !/^(>?\s*\d*\s*\||-+\^)/.test(line));
  return `invalid ${syntax[1]}${reason ? `: ${reason}` : ''}`;
}

/** Reads `--config FILE` or the rc file found from the working directory, and validates it. */
export async function loadConfig(configFile?: string): Promise<LoadedConfig> {
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    found = configFile ? await explorer.load(path.resolve(configFile)) : await explorer.search();
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ENOENT') throw new ImdadError('usage', `config file ${configFile ?? 'rc file'} not found`);
    // cosmiconfig names the file it failed on, also while searching.
    const where = (error as { filepath?: string }).filepath ?? configFile ?? 'rc file';
    throw new ImdadError('config', `${where}: ${describeLoadError(error)}`, { cause: error });
  }
  const raw = found?.isEmpty ? {} : (found?.config ?? {});
  const parsed = rcSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ImdadError('config', `${found?.filepath ?? 'rc file'}: ${describeSettingsIssue(issue, Object.keys(rcSchema.shape))}`);
  }
  return {
    config: parsed.data,
    filepath: found?.filepath,
    baseDir: found ? path.dirname(found.filepath) : process.cwd(),
  };
}
