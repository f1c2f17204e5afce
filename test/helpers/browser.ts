import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

/** Debian's Chromium; CI installs it. Tests that need a browser are skipped without it. */
export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = existsSync(CHROMIUM);

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Runs in the page (a string, so that this file needs no DOM typings): the
 * outermost `<img>` and `<svg>` elements with their rendered sizes.
 */
const MEASURE_PICTURES = `Array.from(document.querySelectorAll('img, svg'))
  .filter((element) => !element.parentElement || !element.parentElement.closest('svg'))
  .map((element) => {
    const box = element.getBoundingClientRect();
    const decoded = element.tagName !== 'IMG' || (element.complete && element.naturalWidth > 0);
    return { tag: element.tagName.toLowerCase(), width: box.width, height: box.height, decoded };
  })`;

/** What a page did while it loaded, and the size each picture rendered at. */
export interface PageCheck {
  /** `console.error` messages and uncaught page errors. */
  errors: string[];
  /** Requests that failed, by URL. */
  failedRequests: string[];
  /** Every URL the page requested besides itself. */
  requests: string[];
  /** Each `<img>` and `<svg>`: its tag, rendered size and, for images, whether it decoded. */
  pictures: { tag: string; width: number; height: number; decoded: boolean }[];
}

/** Opens a local HTML file in headless Chromium, measures its pictures and optionally screenshots the whole page. */
export async function checkPage(file: string, screenshot?: string): Promise<PageCheck> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const url = pathToFileURL(file).href;
    const check: PageCheck = { errors: [], failedRequests: [], requests: [], pictures: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') check.errors.push(message.text());
    });
    page.on('pageerror', (error) => check.errors.push(error.message));
    page.on('requestfailed', (request) => check.failedRequests.push(request.url()));
    page.on('request', (request) => {
      if (request.url() !== url) check.requests.push(request.url().slice(0, 80));
    });
    await page.goto(url, { waitUntil: 'load' });
    check.pictures = (await page.evaluate(MEASURE_PICTURES)) as PageCheck['pictures'];
    if (screenshot) await page.screenshot({ path: screenshot, fullPage: true });
    return check;
  } finally {
    await browser.close();
  }
}
