// A page of our own in headless Debian Chromium (playwright-core drives it), for the tests of the
// self-contained HTML pages (graph render, capture diagram).

import { chromium, type Page } from 'playwright-core';
import { tempDir } from '../helpers.ts';
import { peers } from './available.ts';

export interface OpenedPage {
  page: Page;
  /** Uncaught errors of the page's scripts. */
  errors: string[];
  /** Every URL the page asked for: offline means the file itself only. */
  requests: string[];
}

/** Opens file:// `file` in a fresh headless Chromium, closed when the test ends. */
export async function openInChromium(t: { after(fn: () => unknown): void }, file: string): Promise<OpenedPage> {
  // The background-networking flags keep Chromium from waiting on connections it cannot make here.
  const context = await chromium.launchPersistentContext(tempDir(t, 'netlab-chromium-'), {
    executablePath: peers.chromium.file,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.after(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  await page.goto(`file://${file}`);
  return { page, errors, requests };
}
