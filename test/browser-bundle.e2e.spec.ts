/**
 * The library in a browser: test/browser-app (a page that imports `imdad`,
 * loads a saved model over HTTP and scores rows) is bundled with Vite, as an
 * app would bundle it, served from localhost and run in headless Chromium.
 * The bundle must not pull a Node built-in from any imdad package, and the
 * page's scores must match the ones Node computes for the same model.
 * Needs the packages built (`npm run build`) and Debian's Chromium.
 */
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { builtinModules } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { build, type Plugin } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Detector, readData } from 'imdad';
import { CHROMIUM, HAS_CHROMIUM } from './helpers/browser.js';
import { REPO_ROOT } from './helpers/run-cli.js';

const APP_DIR = path.join(REPO_ROOT, 'test/browser-app');
const WASM_DIR = path.join(REPO_ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const DEMO_CSV = path.join(REPO_ROOT, 'packages/cli/data/cardio-train.csv');
/** Rows of the demo data the page scores. */
const SCORED_ROWS = 60;

/** Records every import of a Node built-in during the build, with the module that imports it. */
function recordNodeBuiltins(found: string[]): Plugin {
  const builtins = new Set(builtinModules);
  return {
    name: 'imdad-test:record-node-builtins',
    enforce: 'pre',
    resolveId(source, importer) {
      const bare = source.startsWith('node:') ? source.slice('node:'.length) : source;
      if (importer && builtins.has(bare)) found.push(`${path.relative(REPO_ROOT, importer)} imports ${source}`);
      return null;
    },
  };
}

/** Serves the bundle, the saved model under /model, tfjs's wasm binaries under /wasm and the rows as /rows.json. */
function serve(routes: Record<string, string>, rowsJson: string): Promise<{ server: Server; origin: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.json': 'application/json', '.wasm': 'application/wasm' };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname === '/rows.json') {
      response.writeHead(200, { 'content-type': 'application/json' }).end(rowsJson);
      return;
    }
    const prefix = Object.keys(routes)
      .sort((a, b) => b.length - a.length)
      .find((p) => url.pathname.startsWith(p));
    const file = prefix === undefined ? undefined : path.join(routes[prefix], url.pathname.slice(prefix.length) || 'index.html');
    if (!file || !existsSync(file) || !statSync(file).isFile()) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { 'content-type': types[path.extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(response);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, origin: `http://127.0.0.1:${(server.address() as { port: number }).port}` })));
}

describe.skipIf(!HAS_CHROMIUM)('imdad bundled for a browser', () => {
  let root: string;
  let builtinImports: string[];
  let bundledModules: string[];
  let nodeScores: Float32Array;
  let origin: string;
  let server: Server | undefined;

  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'imdad-browser-'));
    const { x, y } = await readData(DEMO_CSV);
    const detector = await Detector.create({ seed: 2, backend: 'wasm', trainerOptions: { epochs: 5 } });
    await detector.fit(x, y);
    await detector.save(path.join(root, 'model'));
    const width = x.shape[1];
    const rows = { data: Array.from(x.data.subarray(0, SCORED_ROWS * width)), shape: [SCORED_ROWS, width] };
    nodeScores = detector.score(rows);
    detector.dispose();

    builtinImports = [];
    const output = await build({
      root: APP_DIR,
      logLevel: 'warn',
      configFile: false,
      plugins: [recordNodeBuiltins(builtinImports)],
      build: { outDir: path.join(root, 'dist'), emptyOutDir: true, chunkSizeWarningLimit: 10_000 },
    });
    const outputs = (Array.isArray(output) ? output : [output]) as { output: { type: string; moduleIds?: string[] }[] }[];
    bundledModules = outputs.flatMap((o) => o.output.flatMap((chunk) => (chunk.type === 'chunk' ? (chunk.moduleIds ?? []) : [])));
    writeFileSync(path.join(root, 'rows.json'), JSON.stringify(rows));
    ({ server, origin } = await serve({ '/model/': path.join(root, 'model'), '/wasm/': WASM_DIR, '/': path.join(root, 'dist') }, JSON.stringify(rows)));
  }, 240_000);

  afterAll(() => {
    server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('should bundle the library without any Node built-in imported by an imdad package, and without its Node entry', () => {
    const ours = builtinImports.filter((line) => /^(packages|plugins)\//.test(line));
    expect(ours).toEqual([]);
    const imdadModules = bundledModules.map((id) => path.relative(REPO_ROOT, id)).filter((id) => /^(packages|plugins)\//.test(id));
    expect(imdadModules).toContain('packages/imdad/dist/index.js');
    expect(imdadModules).toContain('plugins/backbone-mlp/dist/mlp-encoder.js');
    expect(imdadModules.filter((id) => /dist\/node\.js$|model\/store\.js$|loader-/.test(id))).toEqual([]);
  });

  for (const backend of ['auto', 'wasm'] as const) {
    it(`should load the saved model over HTTP and score rows as Node does (backend ${backend})`, async () => {
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        // SwiftShader gives headless Chromium a software WebGL; without it `auto` falls back to wasm.
        args: ['--headless', '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        await page.goto(`${origin}/?backend=${backend}`);
        await page.waitForFunction('document.body.dataset.state !== "running"', undefined, { timeout: 120_000 });
        const result = (await page.evaluate('window.imdadResult')) as { backend?: string; scores?: number[]; flagged?: boolean[]; error?: string };
        expect(result.error).toBeUndefined();
        expect(errors).toEqual([]);
        expect(backend === 'auto' ? ['webgl', 'wasm'] : ['wasm']).toContain(result.backend);
        expect(result.scores).toHaveLength(SCORED_ROWS);
        // WebGL computes in float32 with its own summation order: equal to a few parts in 10^4.
        const scale = Math.max(...Array.from(nodeScores, Math.abs));
        result.scores!.forEach((score, i) => expect(Math.abs(score - nodeScores[i])).toBeLessThan(1e-4 * scale + 1e-5));
        result.flagged!.forEach((flag, i) => {
          if (Math.abs(nodeScores[i]) > 1e-3 * scale) expect(flag).toBe(nodeScores[i] > 0);
        });
      } finally {
        await browser.close();
      }
    }, 150_000);
  }
});
