/**
 * docs/library.md's examples are real: every ```js block runs with Node, in
 * order, in one temporary folder (later blocks load the model earlier ones
 * save), importing the workspace's built `imdad`; every ```js browser block
 * must be code of test/browser-app/main.js, the page the browser test runs.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/run-cli.js';
import { runProcess } from './helpers/run-process.js';

const GUIDE = path.join(REPO_ROOT, 'docs/library.md');

/** The fenced code blocks of a markdown file with their info strings (`js`, `js browser`, …). */
function codeBlocks(markdown: string): { info: string; code: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map((m) => ({ info: m[1].trim(), code: m[2] }));
}

const blocks = codeBlocks(readFileSync(GUIDE, 'utf8'));
const runnable = blocks.filter((b) => b.info === 'js');
let folder: string;

beforeAll(() => {
  folder = mkdtempSync(path.join(os.tmpdir(), 'imdad-docs-'));
  // `imdad` resolves as in an app that installed it: through node_modules.
  symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(folder, 'node_modules'), 'dir');
  copyFileSync(path.join(REPO_ROOT, 'packages/cli/data/cardio-train.csv'), path.join(folder, 'cardio-train.csv'));
});

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

describe('docs/library.md', () => {
  it('should have runnable examples', () => {
    expect(runnable.length).toBeGreaterThanOrEqual(5);
  });

  runnable.forEach((block, i) => {
    const title = block.code.split('\n').find((line) => !line.startsWith('import') && line.trim() !== '') ?? '';
    it(`example ${i + 1} should run without error (${title.trim().slice(0, 60)})`, async () => {
      const file = path.join(folder, `example-${i + 1}.mjs`);
      writeFileSync(file, block.code);
      const result = await runProcess(process.execPath, [file], { cwd: folder, env: { IMDAD_BACKEND: 'wasm' }, timeoutMs: 120_000 });
      expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
      expect(result.stdout.trim()).not.toBe('');
    }, 130_000);
  });

  it('should show browser code that is the code of the page the browser test runs', () => {
    const page = readFileSync(path.join(REPO_ROOT, 'test/browser-app/main.js'), 'utf8');
    const browserBlocks = blocks.filter((b) => b.info === 'js browser');
    expect(browserBlocks.length).toBeGreaterThan(0);
    for (const block of browserBlocks) expect(page).toContain(block.code.trimEnd());
  });
});
