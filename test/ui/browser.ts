// Debian's Chromium driven by playwright-core (no browser download), for the UI's tests.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.LOCKBOX_CHROMIUM ?? '/usr/bin/chromium';

/** Whether the browser is installed (CI installs Debian's chromium package). */
export const haveChromium = existsSync(CHROMIUM);

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // This machine has no outside network: without these, Chromium keeps trying to reach it.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}
