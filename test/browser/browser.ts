import type { Page } from 'playwright-core';
import { launchChromium, type RunningChromium } from '../../local/console/chromium';

// Debian's Chromium for the tests of this folder (README, "Local console"): one per file, a page per test.

/** Playwright's waits give up after this: every wait in these tests is for a condition, with a deadline. */
export const WAIT_MS = 30_000;

export function chromiumForFile(): () => Promise<Page> {
  let chromium: RunningChromium | undefined;
  const pages: Page[] = [];
  beforeAll(async () => {
    chromium = await launchChromium();
  }, 60_000);
  afterEach(async () => {
    for (const page of pages.splice(0)) await page.close();
  });
  afterAll(async () => {
    await chromium?.close();
  }, 30_000);
  return async () => {
    if (!chromium) throw new Error('Chromium did not start');
    const page = await chromium.context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    pages.push(page);
    return page;
  };
}
