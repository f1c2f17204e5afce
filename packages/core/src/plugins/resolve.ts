import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ImdadError } from '../errors.js';
import type { LoadedPlugin } from '../contracts/plugin.js';
import { pluginFromModule, type PluginModule } from './plugin-module.js';

const BUILT_IN_SCOPE = '@imdad';
const THIRD_PARTY_PREFIX = 'imdad-plugin';
/** Built-in packages are named `<kind>-<name>`, so `mlp` finds `@imdad/backbone-mlp`. */
const BUILT_IN_PREFIXES = ['', 'backbone-', 'loader-', 'head-', 'explainer-', 'trainer-'];

function isPath(name: string): boolean {
  return name.startsWith('.') || path.isAbsolute(name);
}

/**
 * The package names a plugin name may stand for, in the order they are tried
 * (the way eslint and stylelint resolve theirs):
 * `mlp` -> `@imdad/mlp`, `@imdad/backbone-mlp`, …, `imdad-plugin-mlp`;
 * `@acme/foo` -> `@acme/imdad-plugin-foo`, `@acme/foo`; `@acme` -> `@acme/imdad-plugin`.
 */
export function pluginPackageCandidates(name: string): string[] {
  if (isPath(name)) return [name];
  if (name.startsWith(`${BUILT_IN_SCOPE}/`) || name.startsWith(THIRD_PARTY_PREFIX)) return [name];
  if (name.startsWith('@')) {
    const [scope, rest] = name.split('/', 2);
    if (!rest) return [`${scope}/${THIRD_PARTY_PREFIX}`];
    if (rest.startsWith(THIRD_PARTY_PREFIX)) return [name];
    return [`${scope}/${THIRD_PARTY_PREFIX}-${rest}`, name];
  }
  return [...BUILT_IN_PREFIXES.map((prefix) => `${BUILT_IN_SCOPE}/${prefix}${name}`), `${THIRD_PARTY_PREFIX}-${name}`];
}

/** Finds `node_modules/<name>` from `baseDir` upwards, as Node does. */
function findPackageDir(name: string, baseDir: string): string | undefined {
  for (let dir = path.resolve(baseDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

type ExportsEntry = string | null | { [condition: string]: ExportsEntry } | ExportsEntry[];

/** Picks the file an ES `import` of the package root loads, from its `exports`, `module` or `main`. */
function packageEntry(packageDir: string): string {
  const manifestPath = path.join(packageDir, 'package.json');
  if (!existsSync(manifestPath)) return path.join(packageDir, 'index.js');
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports?: ExportsEntry;
    main?: string;
    module?: string;
  };
  const root =
    pkg.exports && typeof pkg.exports === 'object' && !Array.isArray(pkg.exports) && '.' in pkg.exports
      ? pkg.exports['.']
      : pkg.exports;
  const fromExports = pickCondition(root ?? null);
  return path.join(packageDir, fromExports ?? pkg.module ?? pkg.main ?? 'index.js');
}

function pickCondition(entry: ExportsEntry): string | undefined {
  if (entry === null) return undefined;
  if (typeof entry === 'string') return entry;
  if (Array.isArray(entry)) return entry.map(pickCondition).find((e) => e !== undefined);
  for (const condition of ['import', 'node', 'default']) {
    if (condition in entry) {
      const picked = pickCondition(entry[condition]);
      if (picked) return picked;
    }
  }
  return undefined;
}

interface Located {
  readonly packageName: string;
  readonly entry: string;
}

function locate(name: string, resolveFrom: readonly string[]): Located | undefined {
  if (isPath(name)) {
    const full = path.resolve(resolveFrom[0] ?? process.cwd(), name);
    if (!existsSync(full)) return undefined;
    const entry = statSync(full).isDirectory() ? packageEntry(full) : full;
    return { packageName: full, entry };
  }
  for (const candidate of pluginPackageCandidates(name)) {
    for (const base of resolveFrom) {
      const dir = findPackageDir(candidate, base);
      if (dir) return { packageName: candidate, entry: packageEntry(dir) };
    }
  }
  return undefined;
}

/**
 * Loads a plugin by name: a built-in short name, a third-party package name or
 * a path. Its module must export a `ContainerModule` as default and a
 * `manifest`. "Not installed" (nothing found) and "failed to load" (found, but
 * importing it threw) are different errors.
 */
export async function loadPlugin(name: string, resolveFrom: readonly string[]): Promise<LoadedPlugin> {
  const located = locate(name, resolveFrom);
  if (!located) {
    const tried = pluginPackageCandidates(name).join(', ');
    throw new ImdadError(
      'plugin-not-installed',
      `plugin "${name}" is not installed (looked for ${tried}); install it with npm or fix the name in your rc file`,
    );
  }
  let loaded: PluginModule;
  try {
    loaded = (await import(pathToFileURL(located.entry).href)) as typeof loaded;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new ImdadError('plugin-load-failed', `plugin "${name}" (${located.packageName}) failed to load: ${reason}`, {
      cause: error,
    });
  }
  return pluginFromModule(loaded, located.packageName, name);
}

/** Loads plugins by name, in order, each once (see {@link loadPlugin}), for `createContainer`. */
export async function loadPlugins(names: readonly string[], resolveFrom: readonly string[]): Promise<LoadedPlugin[]> {
  const plugins: LoadedPlugin[] = [];
  for (const name of new Set(names)) plugins.push(await loadPlugin(name, resolveFrom));
  return plugins;
}
