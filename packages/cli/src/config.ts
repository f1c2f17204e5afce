import path from 'node:path';
import { BACKEND_NAMES, ImdadError } from '@imdad/core';
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

const optionsRecord = z.record(z.string(), z.unknown());

/** The rc file's schema: every key is optional, unknown keys are errors. */
export const rcSchema = z.strictObject({
  /** Extra plugins by name: `resnet`, `imdad-plugin-foo`, `@acme/foo`, `./local-plugin`. */
  plugins: z.array(z.string().min(1)).default([]),
  backend: z.enum(['auto', ...BACKEND_NAMES]).default('auto'),
  seed: z.number().int().nonnegative().default(0),
  backbone: z.string().default('mlp'),
  backboneOptions: optionsRecord.default({}),
  head: z.string().default('logistic'),
  headOptions: optionsRecord.default({}),
  trainer: z.string().default('adam'),
  trainerOptions: optionsRecord.default({}),
  /** CSV: the label column. */
  labelColumn: z.string().optional(),
});

export type RcConfig = z.infer<typeof rcSchema>;

export interface LoadedConfig {
  readonly config: RcConfig;
  /** The rc file used, if any. */
  readonly filepath?: string;
  /** Folder plugins resolve from: the rc file's, or the working directory. */
  readonly baseDir: string;
}

const explorer = cosmiconfig('imdad');

/** Reads `--config FILE` or the rc file found from the working directory, and validates it. */
export async function loadConfig(configFile?: string): Promise<LoadedConfig> {
  let found: { config: unknown; filepath: string; isEmpty?: boolean } | null;
  try {
    found = configFile ? await explorer.load(path.resolve(configFile)) : await explorer.search();
  } catch (error) {
    const where = configFile ?? 'rc file';
    const reason = (error as Error).message.split('\n')[0];
    const code = (error as { code?: string }).code;
    throw new ImdadError(code === 'ENOENT' ? 'usage' : 'config', code === 'ENOENT' ? `config file ${where} not found` : `${where}: ${reason}`);
  }
  const raw = found?.isEmpty ? {} : (found?.config ?? {});
  const parsed = rcSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.join('.');
    throw new ImdadError('config', `${found?.filepath ?? 'rc file'}: ${key}: ${issue.message}`);
  }
  return {
    config: parsed.data,
    filepath: found?.filepath,
    baseDir: found ? path.dirname(found.filepath) : process.cwd(),
  };
}
