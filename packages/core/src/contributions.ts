import type { Container, ServiceIdentifier } from 'inversify';
import { ImdadError } from './errors.js';

/** Anything contributed to an extension point: it has a name users pick it by. */
export interface Named {
  /** The name users pick it by. */
  readonly name: string;
}

/** All contributions bound to an extension point, in binding order. */
export function listContributions<T extends Named>(container: Container, token: ServiceIdentifier<T>): T[] {
  return container.isBound(token) ? container.getAll<T>(token) : [];
}

/**
 * The contribution called `name`; an unknown name fails with the list of
 * known ones, so the user sees what to write instead.
 */
export function getContribution<T extends Named>(
  container: Container,
  token: ServiceIdentifier<T>,
  what: string,
  name: string,
): T {
  const all = listContributions(container, token);
  const found = all.find((c) => c.name === name);
  if (found) return found;
  const known = all.map((c) => c.name).join(', ') || 'none';
  throw new ImdadError('config', `unknown ${what} "${name}" (available: ${known}); add the plugin that provides it`);
}

/** Two contributions with one name would make `--backbone x` ambiguous: refuse them. */
export function assertUniqueNames(container: Container, token: ServiceIdentifier<Named>, what: string): void {
  const seen = new Set<string>();
  for (const { name } of listContributions(container, token)) {
    if (seen.has(name)) throw new ImdadError('config', `two plugins provide the ${what} "${name}"; remove one of them`);
    seen.add(name);
  }
}
