/**
 * Real headless Chromium for the browser tests: Debian's `chromium` package (/usr/bin/chromium, or
 * CHROMIUM_PATH), driven by playwright-core, which downloads no browser of its own. A missing Chromium is a
 * failure that says how to install it, never a skip: `.ci/run` installs it.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from './processes';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Where the browser tests put their screenshots (git-ignored). */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-output', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM_PATH}. The browser tests need Debian's chromium package: ` +
        '`apt-get install -y chromium` (as root, or with sudo; .ci/run does it), or set CHROMIUM_PATH.',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Playwright already runs Chromium without its sandbox (chromiumSandbox defaults to false), which it
    // needs as root; a container's small /dev/shm would crash renderers, so use /tmp instead.
    args: ['--disable-dev-shm-usage'],
  });
}

/** A full-page screenshot to test-output/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}
