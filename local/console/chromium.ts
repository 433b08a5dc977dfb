import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

// Debian's Chromium, headless, for the browser tests and `npm run screenshots` (README, "Local console").
// playwright-core downloads no browser; these flags keep Chromium off the network it would otherwise
// try (updates, sync, QUIC), which on a closed machine means hammering refused connections.

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface RunningChromium {
  /** Pages: `context.newPage()`. */
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each time (Playwright passes it as --user-data-dir), removed on close. */
export async function launchChromium(): Promise<RunningChromium> {
  const profile = await mkdtemp(join(tmpdir(), 'chromium-profile-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: FLAGS,
      viewport: { width: 1400, height: 1000 },
    });
    return {
      context,
      close: async () => {
        await context.close();
        await rm(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(profile, { recursive: true, force: true });
    throw error;
  }
}
