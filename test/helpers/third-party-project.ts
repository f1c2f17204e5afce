/**
 * A fresh npm project with imdad installed the way a user installs published
 * packages, from tarballs: `npm pack` of each workspace package (which must be
 * built: `npm run build`) and of any extra package folders, then
 * `npm install` of all of them. The packages' own dependencies (tfjs, inversify,
 * zod, …) come from the npm cache in ~/.npm, or from the registry when missing.
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './run-cli.js';
import { runProcess, type ProcessResult } from './run-process.js';

/** What `npm install --offline` prints when the cache lacks a package. */
const CACHE_MISS = /\bENOTCACHED\b/;

interface PackageJson {
  name: string;
  workspaces?: string[];
  files?: unknown[];
}

function readPackageJson(dir: string): PackageJson {
  return JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** The workspace package folders named by the root package.json (`packages/core`, `plugins/*`, …). */
export function workspacePackageDirs(): string[] {
  return (readPackageJson(REPO_ROOT).workspaces ?? []).flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [path.join(REPO_ROOT, pattern)];
    const parent = path.join(REPO_ROOT, pattern.slice(0, -2));
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(path.join(parent, entry.name, 'package.json')))
      .map((entry) => path.join(parent, entry.name));
  });
}

/**
 * A copy of a workspace package holding what `npm pack` would take from it: its
 * package.json and its `files`. Packing the copy rather than the folder because
 * `npm pack` exits 1 without a message on a `files` list with a non-string entry
 * (packages/cli has a `null` there); the copy keeps only the strings.
 */
function stageWorkspacePackage(dir: string, stagingRoot: string): string {
  const pkg = readPackageJson(dir);
  const files = (pkg.files ?? []).filter((entry): entry is string => typeof entry === 'string');
  const staged = path.join(stagingRoot, path.basename(dir));
  mkdirSync(staged, { recursive: true });
  writeFileSync(path.join(staged, 'package.json'), `${JSON.stringify({ ...pkg, files }, null, 2)}\n`);
  const extras = readdirSync(dir).filter((name) => /^(readme|license)/i.test(name));
  for (const entry of [...files, ...extras]) {
    if (existsSync(path.join(dir, entry))) cpSync(path.join(dir, entry), path.join(staged, entry), { recursive: true });
  }
  return staged;
}

/** Runs npm, killed at `deadline` (a `Date.now()` value). */
function npm(args: string[], cwd: string, deadline: number): Promise<ProcessResult> {
  const timeoutMs = Math.max(deadline - Date.now(), 1_000);
  return runProcess('npm', [...args, '--no-audit', '--no-fund', '--no-update-notifier'], { cwd, timeoutMs });
}

function lastLines(text: string, count = 8): string {
  return text.trim().split('\n').slice(-count).join('\n');
}

function failure(what: string, result: ProcessResult): Error {
  const status = result.timedOut ? 'ran out of time' : `exit ${result.code}`;
  return new Error(`${what} failed (${status}):\n${lastLines(result.stderr)}`);
}

/**
 * Packs every workspace package and the given package folders (whose `prepack`
 * script builds them) into `destination`; returns the tarballs.
 */
export async function packPackages(packageDirs: readonly string[], destination: string, deadline: number): Promise<string[]> {
  const stagingRoot = path.join(destination, '.staging');
  const staged = workspacePackageDirs().map((dir) => stageWorkspacePackage(dir, stagingRoot));
  const result = await npm(['pack', ...staged, ...packageDirs, '--pack-destination', destination], destination, deadline);
  if (result.code !== 0) throw failure('npm pack', result);
  return readdirSync(destination)
    .filter((name) => name.endsWith('.tgz'))
    .map((name) => path.join(destination, name));
}

/**
 * Creates an npm project in `projectDir` and installs the tarballs into it, as
 * `npm install <package>` would from the registry: from the npm cache alone when
 * it holds every dependency, otherwise from the registry. Optional dependencies
 * (`@tensorflow/tfjs-node*`, whose install downloads libtensorflow) are left out:
 * the tests run on the wasm backend.
 */
export async function installTarballs(projectDir: string, tarballs: readonly string[], deadline: number): Promise<void> {
  mkdirSync(projectDir, { recursive: true });
  writeFileSync(
    path.join(projectDir, 'package.json'),
    `${JSON.stringify({ name: path.basename(projectDir), private: true, type: 'module' }, null, 2)}\n`,
  );
  const install = ['install', ...tarballs, '--omit=optional', '--loglevel=error'];
  // Offline first: it needs no network and fails at once on a cache miss, where
  // an online install against an unreachable registry retries every package.
  const offline = await npm([...install, '--offline'], projectDir, deadline);
  if (offline.code === 0) return;
  if (!CACHE_MISS.test(offline.stderr)) throw failure(`npm install --offline in ${projectDir}`, offline);
  const ping = await npm(['ping', '--fetch-retries=0', '--fetch-timeout=10000'], projectDir, Math.min(deadline, Date.now() + 15_000));
  if (ping.code !== 0) {
    const missing = /request to (\S+) failed/.exec(offline.stderr)?.[1] ?? 'a package';
    const reason = ping.timedOut ? 'no answer' : (/npm error code (\S+)/.exec(ping.stderr)?.[1] ?? `exit ${ping.code}`);
    throw new Error(
      `cannot install imdad's dependencies (tfjs, inversify, zod, …): the npm cache lacks ${missing} ` +
        `and the registry (npm config get registry) is unreachable (npm ping: ${reason}); ` +
        'run this test once with the registry reachable to fill the cache',
    );
  }
  const online = await npm([...install, '--prefer-offline'], projectDir, deadline);
  if (online.code !== 0) throw failure(`npm install in ${projectDir}`, online);
}
