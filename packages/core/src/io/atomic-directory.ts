import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ImdadError } from '../errors.js';

/** What an atomic folder write needs to know about the folder it may replace. */
export interface OwnedDirectory {
  /** A file whose presence marks a folder as one imdad wrote (and may replace). */
  readonly marker: string;
  /** What the folder is, for the error message (`imdad model directory`). */
  readonly kind: string;
}

/**
 * Fails unless `dir` is absent, empty, or holds `owner.marker`: call it before
 * long work whose result goes there, so a bad `--out` fails first.
 */
export async function assertReplaceableDirectory(dir: string, owner: OwnedDirectory): Promise<void> {
  const target = path.resolve(dir);
  if (!existsSync(target)) return;
  const entries = await readdir(target).catch(() => undefined);
  if (entries === undefined || (entries.length > 0 && !entries.includes(owner.marker))) {
    throw new ImdadError('input', `${dir} exists and is not an ${owner.kind}; choose another --out`);
  }
}

/**
 * Writes a folder atomically: the files go to a temporary sibling folder, which
 * is then renamed into place, so an interrupted write never leaves a half-written
 * folder. Only an absent or empty folder, or one holding `owner.marker`, is
 * replaced; anything else is refused before a byte is written. File names must
 * stay inside the folder.
 */
export async function writeDirectoryAtomically(
  dir: string,
  files: Iterable<readonly [string, string | Uint8Array]>,
  owner: OwnedDirectory,
): Promise<void> {
  await assertReplaceableDirectory(dir, owner);
  const target = path.resolve(dir);
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  const suffix = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const staging = path.join(parent, `.${path.basename(target)}.tmp-${suffix}`);
  const retired = path.join(parent, `.${path.basename(target)}.old-${suffix}`);
  try {
    await mkdir(staging);
    for (const [name, content] of files) {
      const file = path.resolve(staging, name);
      if (!file.startsWith(`${staging}${path.sep}`)) throw new ImdadError('runtime', `refusing to write ${name} outside ${dir}`);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, content);
    }
    if (existsSync(target)) await rename(target, retired);
    await rename(staging, target);
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(retired, { recursive: true, force: true });
  }
}
