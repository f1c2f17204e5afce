import { z } from 'zod';
import { ImdadError } from '../errors.js';

/** Something that declares its options with a zod schema (every contribution does). */
export interface Configurable<Options extends object = Record<string, unknown>> {
  /** The name users pick it by (`--backbone mlp`, `--head sslm`). */
  readonly name: string;
  /** One sentence for listings and docs. */
  readonly description: string;
  /** Validates and fills defaults of its options. */
  readonly optionsSchema: z.ZodType<Options>;
}

/**
 * Validates `options` against a contribution's schema. A bad value fails with
 * a one-line message that names the key, the value and what is allowed.
 */
export function parseOptions<Options extends object>(
  owner: Configurable<Options>,
  options: unknown,
  where = `${owner.name} options`,
): Options {
  const result = owner.optionsSchema.safeParse(options ?? {});
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys.join(', ')] : issue.path;
  const key = path.length > 0 ? path.join('.') : '(options)';
  const given = issue.code === 'unrecognized_keys' ? undefined : valueAt(options, issue.path);
  const shown = given === undefined ? '' : ` (got ${JSON.stringify(given)})`;
  throw new ImdadError('config', `${where}: ${key}: ${issue.message}${shown}`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
